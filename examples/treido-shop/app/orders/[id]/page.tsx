import { notFound } from 'next/navigation';
import { z } from 'zod';
import { requireUser } from '@/lib/auth';
import { formatPrice } from '@/lib/format';
import { createClient } from '@/lib/supabase/server';

export default async function OrderPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const orderId = z.uuid().safeParse(id);
  if (!orderId.success) notFound();

  const user = await requireUser();
  const supabase = await createClient();
  const { data: order, error } = await supabase
    .from('orders')
    .select('id, status, amount_total, currency, created_at, order_items(*)')
    .eq('id', orderId.data)
    .eq('user_id', user.id)
    .single();
  if (error) notFound();

  return (
    <main>
      <h1>Order from {new Date(order.created_at).toLocaleDateString()}</h1>
      <p>Status: {order.status}</p>
      <ul>
        {order.order_items.map((item) => (
          <li key={item.id}>
            {item.quantity} × {formatPrice(item.unit_price_cents, order.currency)}
          </li>
        ))}
      </ul>
      <p>Total: {formatPrice(order.amount_total, order.currency)}</p>
    </main>
  );
}
