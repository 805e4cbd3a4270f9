// The catalog: category, price and search filters in the URL (shareable, Back works), cursor paging.
import { useState, type FormEvent } from 'react';
import { useQuery } from 'urql';
import { CatalogDocument, CategoriesDocument, type ProductFilter } from '@supergraph/sdk';
import { ErrorMessage, Loading } from '../errors.tsx';
import { centsFromInput, money, rating } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { Link, navigate, useLocation } from '../router.tsx';

export const PAGE_SIZE = 12;

function filterFrom(query: URLSearchParams): ProductFilter {
  const filter: ProductFilter = {};
  const category = query.get('category');
  const search = query.get('q')?.trim();
  const min = centsFromInput(query.get('min'));
  const max = centsFromInput(query.get('max'));
  if (category) filter.categoryId = category;
  if (search) filter.search = search;
  if (min !== undefined) filter.minPriceCents = min;
  if (max !== undefined) filter.maxPriceCents = max;
  return filter;
}

function Filters({ query }: { query: URLSearchParams }) {
  const [{ data }] = useQuery({ query: CategoriesDocument, variables: {} });
  const [problem, setProblem] = useState<string | null>(null);
  const submit = (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const form = new FormData(event.currentTarget);
    const next = new URLSearchParams();
    for (const name of ['q', 'category', 'min', 'max']) {
      const value = String(form.get(name) ?? '').trim();
      if (value) next.set(name, value);
    }
    const min = centsFromInput(next.get('min'));
    const max = centsFromInput(next.get('max'));
    if ((next.has('min') && min === undefined) || (next.has('max') && max === undefined)) {
      setProblem('Prices must be amounts such as 10 or 24.99.');
      return;
    }
    if (min !== undefined && max !== undefined && min > max) {
      setProblem('The lowest price must not be above the highest.');
      return;
    }
    setProblem(null);
    navigate(next.size > 0 ? `/?${next}` : '/');
  };
  // key: the fields show the URL's filter again after Back or "Clear filters".
  return (
    <form className="filters" role="search" aria-label="Filter products" onSubmit={submit} key={query.toString()}>
      <div className="field">
        <label htmlFor="filter-q">Search</label>
        <input id="filter-q" name="q" type="search" defaultValue={query.get('q') ?? ''} />
      </div>
      <div className="field">
        <label htmlFor="filter-category">Category</label>
        <select id="filter-category" name="category" defaultValue={query.get('category') ?? ''}>
          <option value="">All categories</option>
          {data?.categories.map((c) => (
            <option key={c.id} value={c.id}>
              {c.name}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="filter-min">Lowest price ($)</label>
        <input id="filter-min" name="min" inputMode="decimal" defaultValue={query.get('min') ?? ''} aria-describedby={problem ? 'filter-problem' : undefined} />
      </div>
      <div className="field">
        <label htmlFor="filter-max">Highest price ($)</label>
        <input id="filter-max" name="max" inputMode="decimal" defaultValue={query.get('max') ?? ''} aria-describedby={problem ? 'filter-problem' : undefined} />
      </div>
      <div className="actions">
        <button type="submit">Apply filters</button>
        <Link to="/">Clear filters</Link>
      </div>
      {problem && (
        <p id="filter-problem" className="error" role="alert">
          {problem}
        </p>
      )}
    </form>
  );
}

export function CatalogPage() {
  const { query } = useLocation();
  const after = query.get('after');
  const page = Math.max(1, Number(query.get('page') ?? '1') || 1);
  const [{ data, fetching, error }, refetch] = useQuery({ query: CatalogDocument, variables: { first: PAGE_SIZE, after, filter: filterFrom(query) } });
  const products = data?.products;
  const pageLink = (cursor: string) => {
    const next = new URLSearchParams(query);
    next.set('after', cursor);
    next.set('page', String(page + 1));
    return `/?${next}`;
  };
  const firstPage = () => {
    const next = new URLSearchParams(query);
    next.delete('after');
    next.delete('page');
    return next.size > 0 ? `/?${next}` : '/';
  };
  return (
    <>
      <PageHeading title="Products">Products</PageHeading>
      <Filters query={query} />
      <section aria-labelledby="results-heading" aria-busy={fetching}>
        <h2 id="results-heading" className="visually-hidden">
          Results
        </h2>
        {fetching && !products && <Loading what="products" />}
        <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} title="We could not load the products" />
        {products && (
          <>
            <p role="status" className="result-count">
              {products.totalCount === 0 ? 'No products match these filters.' : `${products.totalCount} products · page ${page}`}
            </p>
            <ul className="product-grid" aria-label="Products">
              {products.edges.map(({ node }) => (
                <li key={node.id} className="product-card">
                  <h3>
                    <Link to={`/products/${node.id}`}>{node.name}</Link>
                  </h3>
                  <p className="price">{money(node.price)}</p>
                  <p>{rating(node.averageRating, node.reviewCount)}</p>
                  <p className={node.inStock ? 'in-stock' : 'out-of-stock'}>{node.inStock ? 'In stock' : 'Out of stock'}</p>
                </li>
              ))}
            </ul>
            <nav className="pager" aria-label="Pages">
              {after && <Link to={firstPage()}>First page</Link>}
              {products.pageInfo.hasNextPage && products.pageInfo.endCursor && <Link to={pageLink(products.pageInfo.endCursor)}>Next page</Link>}
            </nav>
          </>
        )}
      </section>
    </>
  );
}
