// A product: price, stock, shipping estimate, rating and reviews; new reviews arrive live
// (ReviewAdded); signed-in shoppers can write one.
import { useState, type FormEvent } from 'react';
import { useMutation, useQuery, useSubscription } from 'urql';
import { AddReviewDocument, ProductPageDocument, ReviewAddedDocument, hasErrorCode, type ReviewAddedSubscription } from '@supergraph/sdk';
import { MAX_QUANTITY, useCart } from '../cart.tsx';
import { ErrorMessage, Loading } from '../errors.tsx';
import { date, money, rating } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { Link, useLocation } from '../router.tsx';
import { useSession } from '../session.tsx';

interface ShownReview {
  id: string;
  rating: number;
  body: string;
  author: string;
  createdAt?: string;
}

type LiveReview = NonNullable<ReviewAddedSubscription['reviewAdded']>;

function ReviewForm({ productId, onPosted }: { productId: string; onPosted: (review: ShownReview) => void }) {
  const { session } = useSession();
  const [{ fetching, error }, addReview] = useMutation(AddReviewDocument);
  const [posted, setPosted] = useState(false);
  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const formElement = event.currentTarget;
    const form = new FormData(formElement);
    setPosted(false);
    const result = await addReview({ input: { productId, rating: Number(form.get('rating')), body: String(form.get('body') ?? '').trim() } });
    if (result.data) {
      const review = result.data.addReview;
      onPosted({ id: review.id, rating: review.rating, body: review.body, author: session?.user.name ?? 'You' });
      formElement.reset();
      setPosted(true);
    }
  };
  return (
    <form className="review-form" onSubmit={submit} aria-labelledby="review-form-heading">
      <h3 id="review-form-heading">Write a review</h3>
      <div className="field">
        <label htmlFor="review-rating">Rating</label>
        <select id="review-rating" name="rating" defaultValue="5" required>
          {[5, 4, 3, 2, 1].map((n) => (
            <option key={n} value={n}>
              {n} {n === 1 ? 'star' : 'stars'}
            </option>
          ))}
        </select>
      </div>
      <div className="field">
        <label htmlFor="review-body">Your review</label>
        <textarea id="review-body" name="body" rows={4} required minLength={1} maxLength={5000} />
      </div>
      <button type="submit" disabled={fetching}>
        {fetching ? 'Posting…' : 'Post review'}
      </button>
      <ErrorMessage error={error} title="Your review was not posted" />
      {posted && <p role="status">Thanks, your review is posted.</p>}
    </form>
  );
}

export function ProductPage({ id }: { id: string }) {
  const { session } = useSession();
  const { href } = useLocation();
  const cart = useCart();
  const [{ data, fetching, error }, refetch] = useQuery({ query: ProductPageDocument, variables: { id } });
  // Reviews that arrived while the page is open, newest first (the live ones and the shopper's own).
  const [live, setLive] = useState<{ reviews: ShownReview[]; averageRating?: number | null }>({ reviews: [] });
  const [added, setAdded] = useState<string | null>(null);
  const [quantity, setQuantity] = useState(1);
  const addLive = (review: ShownReview, averageRating?: number | null) =>
    setLive((current) => ({
      reviews: current.reviews.some((r) => r.id === review.id) ? current.reviews : [review, ...current.reviews],
      averageRating: averageRating === undefined ? current.averageRating : averageRating,
    }));
  useSubscription({ query: ReviewAddedDocument, variables: { productId: id } }, (_previous: unknown, event: { reviewAdded: LiveReview | null }) => {
    const review = event.reviewAdded;
    if (review) addLive({ id: review.id, rating: review.rating, body: review.body, author: review.author?.name ?? 'A shopper' }, review.product?.averageRating);
    return event;
  });

  const product = data?.product;
  if (fetching && !data) return <Loading what="the product" />;
  if (!product) {
    // BAD_USER_INPUT: a link with a blank id (`/products/%20`), which names no product either.
    const missing = !error || hasErrorCode(error, 'NOT_FOUND', 'BAD_USER_INPUT');
    return (
      <>
        <PageHeading>{missing ? 'Product not found' : 'We could not load this product'}</PageHeading>
        {missing ? <p>This product does not exist or is no longer sold.</p> : <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
        <p>
          <Link to="/">Back to the products</Link>
        </p>
      </>
    );
  }
  const loaded = product.reviews ?? [];
  const fresh = live.reviews.filter((r) => !loaded.some((l) => l.id === r.id));
  const reviews: ShownReview[] = [...fresh, ...loaded.map((r) => ({ id: r.id, rating: r.rating, body: r.body, author: r.author?.name ?? 'A shopper', createdAt: r.createdAt }))];
  const reviewCount = (product.reviewCount ?? 0) + fresh.length;
  const averageRating = live.averageRating ?? product.averageRating;
  const maxQuantity = Math.min(MAX_QUANTITY, product.stock ?? MAX_QUANTITY);
  const addToCart = (event: FormEvent) => {
    event.preventDefault();
    const ok = cart.add({ productId: product.id, name: product.name, unitPrice: product.price, quantity });
    setAdded(ok ? `${quantity} × ${product.name} added to your cart.` : 'Your cart is full: check out or remove something first.');
  };
  return (
    <article className="product">
      <p className="breadcrumb">
        <Link to="/">Products</Link>
        {product.category && (
          <>
            {' › '}
            <Link to={`/?category=${encodeURIComponent(product.category.id)}`}>{product.category.name}</Link>
          </>
        )}
      </p>
      <PageHeading>{product.name}</PageHeading>
      {/* Partial answers: the product came back, a part (reviews, stock) did not. */}
      <ErrorMessage error={error} title="Some details are missing" />
      <dl className="facts">
        <dt>Price</dt>
        <dd className="price">{money(product.price)}</dd>
        <dt>Availability</dt>
        <dd className={product.inStock ? 'in-stock' : 'out-of-stock'}>
          {product.inStock === null ? 'Unknown right now' : product.inStock ? `In stock${product.stock != null ? ` (${product.stock} left)` : ''}` : 'Out of stock'}
        </dd>
        <dt>Shipping</dt>
        <dd>{product.shippingEstimate ? `${money(product.shippingEstimate)} estimated` : 'Estimate unavailable'}</dd>
        <dt>Rating</dt>
        <dd data-testid="product-rating">{rating(averageRating, reviewCount)}</dd>
        <dt>Item number</dt>
        <dd>{product.sku}</dd>
      </dl>
      <p className="description">{product.description}</p>
      {product.inStock !== false && maxQuantity > 0 && (
        <form className="add-to-cart" onSubmit={addToCart}>
          <div className="field">
            <label htmlFor="quantity">Quantity</label>
            <input id="quantity" type="number" min={1} max={maxQuantity} value={quantity} onChange={(e) => setQuantity(Math.max(1, Math.min(maxQuantity, Number(e.target.value) || 1)))} />
          </div>
          <button type="submit">Add to cart</button>
        </form>
      )}
      {added && (
        <p role="status">
          {added} <Link to="/cart">View cart</Link>
        </p>
      )}

      <section className="reviews" aria-labelledby="reviews-heading">
        <h2 id="reviews-heading">Reviews</h2>
        {/* aria-live: reviews written by other shoppers while this page is open are announced. */}
        <ul aria-label="Reviews" aria-live="polite" aria-relevant="additions">
          {reviews.map((review) => (
            <li key={review.id} className="review">
              <p className="review-rating">
                {review.rating} out of 5 · {review.author}
                {review.createdAt ? ` · ${date(review.createdAt)}` : ' · just now'}
              </p>
              <p className="review-body">{review.body}</p>
            </li>
          ))}
        </ul>
        {reviews.length === 0 && <p>No reviews yet. Be the first.</p>}
        {session ? (
          <ReviewForm productId={product.id} onPosted={(review) => addLive(review)} />
        ) : (
          <p>
            <Link to={`/login?next=${encodeURIComponent(href)}`}>Log in</Link> or <Link to={`/signup?next=${encodeURIComponent(href)}`}>sign up</Link> to write a review.
          </p>
        )}
      </section>
    </article>
  );
}
