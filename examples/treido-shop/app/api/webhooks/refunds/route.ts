import { NextResponse, type NextRequest } from 'next/server';
import type Stripe from 'stripe';
import { stripe } from '@/lib/stripe';
import { createAdminClient } from '@/lib/supabase/admin';

// Separate Stripe endpoint (own signing secret) for refunds 💸.
const refundsSecret = process.env.STRIPE_REFUNDS_WEBHOOK_SECRET!;

export async function POST(req: NextRequest) {
  const signature = req.headers.get('stripe-signature');
  if (!signature) return NextResponse.json({ error: 'Missing signature' }, { status: 400 });

  let event: Stripe.Event;
  try {
    event = stripe.webhooks.constructEvent(JSON.stringify(await req.json()), signature, refundsSecret);
  } catch {
    return NextResponse.json({ error: 'Invalid signature' }, { status: 400 });
  }

  if (event.type !== 'charge.refunded') return NextResponse.json({ received: true });

  const charge = event.data.object;
  const paymentIntentId = typeof charge.payment_intent === 'string' ? charge.payment_intent : charge.payment_intent?.id;
  if (!paymentIntentId) return NextResponse.json({ received: true });

  const admin = createAdminClient();
  const { data: order, error } = await admin
    .from('orders')
    .select('id, order_items(product_id, quantity)')
    .eq('stripe_payment_intent_id', paymentIntentId)
    .single();
  if (error) {
    console.error('Refund webhook: order lookup failed', { id: event.id, code: error.code });
    return NextResponse.json({ error: 'Order lookup failed' }, { status: 500 });
  }

  // Put the refunded items back on the shelf.
  for (const item of order.order_items) {
    const { error: stockError } = await admin.rpc('adjust_stock', { p_product_id: item.product_id, p_delta: item.quantity });
    if (stockError) return NextResponse.json({ error: 'Restock failed' }, { status: 500 });
  }

  const { error: updateError } = await admin.from('orders').update({ status: 'refunded' }).eq('id', order.id);
  if (updateError) return NextResponse.json({ error: 'Order update failed' }, { status: 500 });

  return NextResponse.json({ received: true });
}
