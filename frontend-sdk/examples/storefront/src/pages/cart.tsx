import { MAX_QUANTITY, useCart } from '../cart.tsx';
import { money } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

/** The cart's total at the prices seen; the order is priced by the server. */
export function cartTotal(lines: { unitPrice: { amountCents: number; currency: string }; quantity: number }[]) {
  const currency = lines[0]?.unitPrice.currency ?? 'USD';
  return { amountCents: lines.reduce((sum, l) => sum + l.unitPrice.amountCents * l.quantity, 0), currency };
}

export function CartPage() {
  const { lines, setQuantity, remove } = useCart();
  const { session } = useSession();
  if (lines.length === 0) {
    return (
      <>
        <PageHeading>Your cart</PageHeading>
        <p>Your cart is empty.</p>
        <p>
          <Link to="/">Browse the products</Link>
        </p>
      </>
    );
  }
  return (
    <>
      <PageHeading>Your cart</PageHeading>
      <table className="cart-table">
        <caption className="visually-hidden">Products in your cart</caption>
        <thead>
          <tr>
            <th scope="col">Product</th>
            <th scope="col">Price</th>
            <th scope="col">Quantity</th>
            <th scope="col">
              <span className="visually-hidden">Actions</span>
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((line) => (
            <tr key={line.productId}>
              <th scope="row">
                <Link to={`/products/${line.productId}`}>{line.name}</Link>
              </th>
              <td>{money(line.unitPrice)}</td>
              <td>
                <label className="visually-hidden" htmlFor={`qty-${line.productId}`}>
                  Quantity of {line.name}
                </label>
                <input id={`qty-${line.productId}`} type="number" min={1} max={MAX_QUANTITY} value={line.quantity} onChange={(e) => setQuantity(line.productId, Number(e.target.value) || 1)} />
              </td>
              <td>
                <button type="button" className="link-button" onClick={() => remove(line.productId)}>
                  Remove <span className="visually-hidden">{line.name}</span>
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p className="total">Total: {money(cartTotal(lines))} (shipping and final prices at checkout)</p>
      {session ? (
        <Link className="button" to="/checkout">
          Go to checkout
        </Link>
      ) : (
        <p>
          <Link to="/login?next=%2Fcheckout">Log in</Link> or <Link to="/signup?next=%2Fcheckout">sign up</Link> to check out.
        </p>
      )}
    </>
  );
}
