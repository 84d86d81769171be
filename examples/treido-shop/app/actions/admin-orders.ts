'use server';

import { z } from 'zod';
import { requireAdmin } from '@/lib/auth';
import { createAdminClient } from '@/lib/supabase/admin';

const PAGE_SIZE = 50;

const ListOrdersSchema = z.object({
  status: z.enum(['pending', 'paid', 'refunded', 'cancelled']).optional(),
  since: z.iso.datetime().optional(),
  page: z.number().int().min(0).max(1000).default(0),
});

/** Back-office order list: every customer's orders, so it needs the service role. */
export async function listOrders(input: unknown) {
  await requireAdmin();
  const parsed = ListOrdersSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid filters' };

  const { status, since, page } = parsed.data;
  const admin = createAdminClient();
  let query = admin.from('orders').select('id, user_id, status, amount_total, currency, created_at');

  if (since) {
    query = query.gte('created_at', since);
  }
  if (status) {
    query.eq('status', status);
  }

  const from = page * PAGE_SIZE;
  const { data, error } = await query
    .order('created_at', { ascending: false })
    .range(from, from + PAGE_SIZE - 1);
  if (error) {
    console.error('listOrders failed', { code: error.code });
    return { ok: false as const, error: 'Could not load orders' };
  }

  return { ok: true as const, orders: data };
}
