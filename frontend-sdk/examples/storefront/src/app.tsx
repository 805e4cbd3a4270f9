import { CartProvider, useCart } from './cart.tsx';
import { StorefrontClientProvider } from './client.tsx';
import { AccountPage } from './pages/account.tsx';
import { LogInPage, SignUpPage } from './pages/auth.tsx';
import { CartPage } from './pages/cart.tsx';
import { CatalogPage } from './pages/catalog.tsx';
import { CheckoutPage } from './pages/checkout.tsx';
import { OrderPage } from './pages/order.tsx';
import { ProductPage } from './pages/product.tsx';
import { PageHeading } from './page.tsx';
import { Link, navigate, useLocation } from './router.tsx';
import { SessionProvider, useSession } from './session.tsx';

function Header() {
  const { session, signOut } = useSession();
  const { count } = useCart();
  const { href } = useLocation();
  const next = encodeURIComponent(href);
  return (
    <header className="site-header">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <Link to="/" className="brand">
        Supergraph Shop
      </Link>
      <nav aria-label="Main">
        <ul>
          <li>
            <Link to="/">Products</Link>
          </li>
          <li>
            <Link to="/cart" aria-label={`Cart, ${count} ${count === 1 ? 'item' : 'items'}`}>
              Cart ({count})
            </Link>
          </li>
          {session ? (
            <>
              <li>
                <Link to="/account">My orders</Link>
              </li>
              <li className="signed-in">
                <span>Signed in as {session.user.name}</span>
                <button
                  type="button"
                  className="link-button"
                  onClick={() => {
                    signOut();
                    navigate('/');
                  }}
                >
                  Log out
                </button>
              </li>
            </>
          ) : (
            <>
              <li>
                <Link to={`/login?next=${next}`}>Log in</Link>
              </li>
              <li>
                <Link to={`/signup?next=${next}`}>Sign up</Link>
              </li>
            </>
          )}
        </ul>
      </nav>
    </header>
  );
}

function Routes() {
  const { path } = useLocation();
  const product = /^\/products\/([^/]+)$/.exec(path);
  const order = /^\/orders\/([^/]+)$/.exec(path);
  if (path === '/') return <CatalogPage />;
  if (product) return <ProductPage key={product[1]} id={decodeURIComponent(product[1]!)} />;
  if (order) return <OrderPage key={order[1]} id={decodeURIComponent(order[1]!)} />;
  if (path === '/cart') return <CartPage />;
  if (path === '/checkout') return <CheckoutPage />;
  if (path === '/account') return <AccountPage />;
  if (path === '/login') return <LogInPage />;
  if (path === '/signup') return <SignUpPage />;
  return (
    <>
      <PageHeading>Page not found</PageHeading>
      <p>
        There is nothing here. <Link to="/">Browse the products</Link>.
      </p>
    </>
  );
}

export function App() {
  return (
    <SessionProvider>
      <StorefrontClientProvider>
        <CartProvider>
          <Header />
          <main id="main">
            <Routes />
          </main>
          <footer className="site-footer">
            <p>A demo shop on the supergraph. Payments use test cards only.</p>
          </footer>
        </CartProvider>
      </StorefrontClientProvider>
    </SessionProvider>
  );
}
