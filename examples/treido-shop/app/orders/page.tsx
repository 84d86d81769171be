import Link from 'next/link';
import { requireUser } from '@/lib/auth';
import { formatPrice } from '@/lib/format';
import { createClient } from '@/lib/supabase/server';

export default async function OrdersPage() {
  const user = await requireUser();
  const supabase = await createClient();

  const { data: orders, error } = await supabase.from('orders').select('id, status, amount_total, currency, created_at')
    .eq('user_id', user.id)
    .order('created_at', { ascending: false });

  if (error) {
    return <p>We couldn’t load your orders. Please try again later.</p>;
  }

  return (
    <main>
      <h1>Your orders</h1>
      {orders.length === 0 && <p>No orders yet — time to go shopping 🛍️</p>}
      <ul>
        {orders.map((order) => (
          <li key={order.id}>
            <Link href={`/orders/${order.id}`}>
              {new Date(order.created_at).toLocaleDateString()} · {order.status} ·{' '}
              {formatPrice(order.amount_total, order.currency)}
            </Link>
          </li>
        ))}
      </ul>
    </main>
  );
}
