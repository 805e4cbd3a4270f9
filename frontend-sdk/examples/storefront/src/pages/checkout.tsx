// Checkout with the test payment provider's cards: tok_visa is charged, tok_declined is declined.
// One idempotency key per attempt: sending the same attempt again (a lost answer) never charges
// twice, and a new attempt after a decline is a new order.
import { useState, type FormEvent } from 'react';
import { useMutation } from 'urql';
import { PlaceOrderDocument } from '@supergraph/sdk';
import { useCart } from '../cart.tsx';
import { ErrorMessage, rejectionWords } from '../errors.tsx';
import { money } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { rememberPlacedOrder } from '../placed-orders.ts';
import { Link, navigate } from '../router.tsx';
import { useSession } from '../session.tsx';
import { cartTotal } from './cart.tsx';

export const TEST_CARDS = [
  { token: 'tok_visa', label: 'Test card that is charged', hint: 'tok_visa' },
  { token: 'tok_declined', label: 'Test card that is declined', hint: 'tok_declined' },
] as const;

const newAttempt = () => crypto.randomUUID();

export function CheckoutPage() {
  const { session } = useSession();
  const cart = useCart();
  const [{ fetching, error }, placeOrder] = useMutation(PlaceOrderDocument);
  const [attempt, setAttempt] = useState(newAttempt);
  const [rejection, setRejection] = useState<string | null>(null);

  if (!session) {
    return (
      <>
        <PageHeading>Checkout</PageHeading>
        <p>
          <Link to="/login?next=%2Fcheckout">Log in</Link> or <Link to="/signup?next=%2Fcheckout">sign up</Link> to check out.
        </p>
      </>
    );
  }
  if (cart.lines.length === 0) {
    return (
      <>
        <PageHeading>Checkout</PageHeading>
        <p>
          Your cart is empty. <Link to="/">Browse the products</Link>.
        </p>
      </>
    );
  }

  const submit = async (event: FormEvent<HTMLFormElement>) => {
    event.preventDefault();
    const paymentToken = String(new FormData(event.currentTarget).get('card'));
    setRejection(null);
    const result = await placeOrder({ input: { idempotencyKey: attempt, paymentToken, items: cart.lines.map((l) => ({ productId: l.productId, quantity: l.quantity })) } });
    const order = result.data?.placeOrder;
    if (!order) return; // the error is shown; the same attempt (same key) may be sent again
    setAttempt(newAttempt());
    if (order.status === 'REJECTED') {
      setRejection(rejectionWords(order.rejectionReason));
      return;
    }
    rememberPlacedOrder(order);
    cart.clear();
    navigate(`/orders/${order.id}`);
  };

  return (
    <>
      <PageHeading>Checkout</PageHeading>
      <section aria-labelledby="summary-heading">
        <h2 id="summary-heading">Your order</h2>
        <ul className="summary">
          {cart.lines.map((line) => (
            <li key={line.productId}>
              {line.quantity} × {line.name}: {money({ ...line.unitPrice, amountCents: line.unitPrice.amountCents * line.quantity })}
            </li>
          ))}
        </ul>
        <p className="total">Total: {money(cartTotal(cart.lines))}</p>
      </section>
      <form className="checkout-form" onSubmit={submit}>
        <fieldset>
          <legend>Payment card</legend>
          {TEST_CARDS.map((card, index) => (
            <div className="radio" key={card.token}>
              <input type="radio" id={`card-${card.token}`} name="card" value={card.token} defaultChecked={index === 0} />
              <label htmlFor={`card-${card.token}`}>
                {card.label} <code>{card.hint}</code>
              </label>
            </div>
          ))}
        </fieldset>
        <button type="submit" disabled={fetching}>
          {fetching ? 'Placing your order…' : 'Place order'}
        </button>
        {fetching && <p role="status">Placing your order…</p>}
        {rejection && (
          <div className="error" role="alert">
            <p className="error-title">Your order was not placed</p>
            <p>{rejection}</p>
          </div>
        )}
        <ErrorMessage error={error} title="Your order was not placed" />
      </form>
    </>
  );
}
