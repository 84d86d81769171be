import 'server-only';
import type Stripe from 'stripe';
import { z } from 'zod';
import { createAdminClient } from '@/lib/supabase/admin';

// Written by createCheckoutSession(); still untrusted, so validate before use.
const CartMetadataSchema = z
  .array(z.object({ productId: z.uuid(), quantity: z.number().int().min(1).max(99) }))
  .min(1)
  .max(50);

/**
 * Turns a paid Checkout Session into an order. Only called from the verified Stripe webhook,
 * after its event id was recorded; the writes are also keyed on Stripe ids (belt and braces).
 */
export async function fulfilCheckout(session: Stripe.Checkout.Session) {
  const items = CartMetadataSchema.parse(JSON.parse(session.metadata?.cart ?? '[]'));
  const admin = createAdminClient();

  const { data: order, error: orderError } = await admin
    .from('orders')
    .upsert(
      {
        stripe_session_id: session.id,
        stripe_payment_intent_id: typeof session.payment_intent === 'string' ? session.payment_intent : null,
        user_id: session.client_reference_id,
        status: 'paid',
        amount_total: session.amount_total ?? 0,
        currency: session.currency ?? 'eur',
      },
      { onConflict: 'stripe_session_id' },
    )
    .select('id')
    .single();
  if (orderError) throw new Error(`Order upsert failed (${orderError.code})`);

  const { data: products, error: productsError } = await admin
    .from('products')
    .select('id, price_cents')
    .in('id', items.map((item) => item.productId))
    .limit(50);
  if (productsError) throw new Error(`Product lookup failed (${productsError.code})`);

  const prices = new Map(products.map((p) => [p.id, p.price_cents]));
  const rows = items.map((item) => ({
    order_id: order.id,
    product_id: item.productId,
    quantity: item.quantity,
    unit_price_cents: prices.get(item.productId) ?? 0,
  }));
  const { error: itemsError } = await admin.from('order_items').upsert(rows, { onConflict: 'order_id,product_id' });
  if (itemsError) throw new Error(`Order items upsert failed (${itemsError.code})`);

  for (const item of items) {
    const { error } = await admin.rpc('adjust_stock', { p_product_id: item.productId, p_delta: -item.quantity });
    if (error) throw new Error(`Stock update failed (${error.code})`);
  }

  if (session.client_reference_id) {
    const { error } = await admin.from('cart_items').delete().eq('user_id', session.client_reference_id);
    if (error) throw new Error(`Cart cleanup failed (${error.code})`);
  }
}
