// One order; its status follows the checkout saga live (OrderStatusChanged), no reload needed.
import { useQuery, useSubscription } from 'urql';
import { OrderDocument, OrderStatusChangedDocument, hasErrorCode, type OrderStatus, type OrderStatusChangedSubscription } from '@supergraph/sdk';
import { ErrorMessage, Loading, rejectionWords } from '../errors.tsx';
import { date, money, STATUS_WORDS } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { placedOrder } from '../placed-orders.ts';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

type StatusEvent = NonNullable<OrderStatusChangedSubscription['orderStatusChanged']>;

export function OrderPage({ id }: { id: string }) {
  const { session } = useSession();
  const [{ data, fetching, error }, refetch] = useQuery({ query: OrderDocument, variables: { id }, requestPolicy: 'network-only', pause: !session });
  const [{ data: live }] = useSubscription({ query: OrderStatusChangedDocument, variables: { orderId: id }, pause: !session }, (_previous: unknown, event: { orderStatusChanged: StatusEvent | null }) => event);
  const placed = placedOrder(id);

  if (!session) {
    return (
      <>
        <PageHeading>Your order</PageHeading>
        <p>
          <Link to={`/login?next=${encodeURIComponent(`/orders/${id}`)}`}>Log in</Link> to see this order.
        </p>
      </>
    );
  }
  if (fetching && !data) return <Loading what="your order" />;
  const order = data?.order;
  if (!order) {
    const missing = !error || hasErrorCode(error, 'NOT_FOUND', 'FORBIDDEN', 'BAD_USER_INPUT');
    return (
      <>
        <PageHeading>{missing ? 'Order not found' : 'We could not load this order'}</PageHeading>
        {missing ? <p>There is no order with this number in your account.</p> : <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} />}
      </>
    );
  }
  const event = live?.orderStatusChanged;
  const status: OrderStatus = event?.status ?? order.status;
  const items = event?.items ?? placed?.items ?? [];
  return (
    <>
      <PageHeading title="Your order">{`Order ${order.id.slice(0, 8)}`}</PageHeading>
      <div className={`order-status status-${status.toLowerCase()}`} role="status" aria-live="polite">
        <span className="label">Status:</span> <strong data-testid="order-status">{STATUS_WORDS[status]}</strong>
        {status === 'PENDING' && <p>This page updates by itself.</p>}
        {status === 'REJECTED' && <p>{rejectionWords(placed?.rejectionReason)}</p>}
      </div>
      <dl className="facts">
        <dt>Placed</dt>
        <dd>{date(order.createdAt)}</dd>
        <dt>Total</dt>
        <dd>{money(order.total)}</dd>
      </dl>
      {items.length > 0 && (
        <section aria-labelledby="items-heading">
          <h2 id="items-heading">Items</h2>
          <ul>
            {items.map((item, index) => (
              <li key={item.product?.id ?? index}>
                {item.quantity} × {item.product ? <Link to={`/products/${item.product.id}`}>{item.product.name}</Link> : 'a product no longer sold'}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p>
        <Link to="/account">All your orders</Link> · <Link to="/">Keep shopping</Link>
      </p>
    </>
  );
}
