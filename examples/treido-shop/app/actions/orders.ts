'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth';
import { createAdminClient } from '@/lib/supabase/admin';
import { createClient } from '@/lib/supabase/server';

const OrderIdSchema = z.object({ orderId: z.uuid() });

export async function getOrder(input: unknown) {
  const user = await requireUser();
  const parsed = OrderIdSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid order' };

  const supabase = await createClient();
  const { data: order, error } = await supabase
    .from('orders')
    .select('*')
    .eq('id', parsed.data.orderId)
    .eq('user_id', user.id)
    .single();
  if (error) return { ok: false as const, error: 'Order not found' };

  return { ok: true as const, order };
}

export async function cancelOrder(input: unknown) {
  const user = await requireUser();
  const parsed = OrderIdSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid order' };

  // Customers have no UPDATE policy on orders, so go through the service role.
  const admin = createAdminClient();
  const { error } = await admin
    .from('orders')
    .update({ status: 'cancelled' })
    .eq('id', parsed.data.orderId)
    .eq('user_id', user.id)
    .eq('status', 'pending');
  if (error) return { ok: false as const, error: 'Could not cancel this order' };

  revalidatePath('/orders');
  return { ok: true as const };
}
