// The shopper's account: who they are and their latest orders (Me).
import { useQuery } from 'urql';
import { MeDocument } from '@supergraph/sdk';
import { ErrorMessage, Loading } from '../errors.tsx';
import { date, money, STATUS_WORDS } from '../format.ts';
import { PageHeading } from '../page.tsx';
import { Link } from '../router.tsx';
import { useSession } from '../session.tsx';

export function AccountPage() {
  const { session } = useSession();
  const [{ data, fetching, error }, refetch] = useQuery({ query: MeDocument, variables: {}, requestPolicy: 'network-only', pause: !session });
  if (!session) {
    return (
      <>
        <PageHeading>My orders</PageHeading>
        <p>
          <Link to="/login?next=%2Faccount">Log in</Link> to see your orders.
        </p>
      </>
    );
  }
  const me = data?.me;
  // null when the orders service did not answer (the error above says so).
  const orders = me?.orders ?? null;
  return (
    <>
      <PageHeading>My orders</PageHeading>
      {fetching && !data && <Loading what="your orders" />}
      <ErrorMessage error={error} retry={() => refetch({ requestPolicy: 'network-only' })} title="We could not load your orders" />
      {me && (
        <>
          <p>
            {me.name}
            {me.email ? ` · ${me.email}` : ''}
          </p>
          {orders === null ? null : orders.length === 0 ? (
            <p>
              No orders yet. <Link to="/">Browse the products</Link>.
            </p>
          ) : (
            <table className="orders-table">
              <caption className="visually-hidden">Your latest orders</caption>
              <thead>
                <tr>
                  <th scope="col">Order</th>
                  <th scope="col">Placed</th>
                  <th scope="col">Status</th>
                  <th scope="col">Items</th>
                  <th scope="col">Total</th>
                </tr>
              </thead>
              <tbody>
                {orders.map((order) => (
                  <tr key={order.id}>
                    <th scope="row">
                      <Link to={`/orders/${order.id}`}>{order.id.slice(0, 8)}</Link>
                    </th>
                    <td>{date(order.createdAt)}</td>
                    <td>{STATUS_WORDS[order.status]}</td>
                    <td>{order.items.map((i) => `${i.quantity} × ${i.product?.name ?? 'a product no longer sold'}`).join(', ')}</td>
                    <td>{money(order.total)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      )}
    </>
  );
}
