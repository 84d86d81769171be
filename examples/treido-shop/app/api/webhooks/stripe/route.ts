import { NextResponse, type NextRequest } from 'next/server';
import type Stripe from 'stripe';
import { fulfilCheckout } from '@/lib/orders/fulfil';
import { verifyStripeEvent } from '@/lib/stripe/verify';
import { createAdminClient } from '@/lib/supabase/admin';

export async function POST(req: NextRequest) {
  const signature = req.headers.get('stripe-signature');
  if (!signature) {
    return NextResponse.json({ error: 'Missing signature' }, { status: 400 });
  }

  // The signature covers the exact bytes Stripe sent: read the raw text, never re-serialise JSON.
  const body = await req.text();
  let event: Stripe.Event;
  try {
    event = verifyStripeEvent(body, signature);
  } catch {
    return NextResponse.json({ error: 'Invalid signature' }, { status: 400 });
  }

  // Idempotency: processed_events.id is the primary key, so a replayed event fails with 23505.
  const admin = createAdminClient();
  const { error: recordError } = await admin
    .from('processed_events')
    .insert({ id: event.id, type: event.type });
  if (recordError?.code === '23505') {
    return NextResponse.json({ received: true, duplicate: true });
  }
  if (recordError) {
    console.error('Stripe webhook: could not record event', { id: event.id, code: recordError.code });
    return NextResponse.json({ error: 'Storage error' }, { status: 500 });
  }

  try {
    if (event.type === 'checkout.session.completed') {
      await fulfilCheckout(event.data.object);
    }
  } catch (err) {
    // Forget the event so Stripe's retry gets a clean second attempt.
    const { error: forgetError } = await admin.from('processed_events').delete().eq('id', event.id);
    console.error('Stripe webhook: handler failed', {
      id: event.id,
      type: event.type,
      error: err,
      forgetFailed: Boolean(forgetError),
    });
    return NextResponse.json({ error: 'Handler failed' }, { status: 500 });
  }

  console.info('Stripe webhook processed', { id: event.id, type: event.type });
  return NextResponse.json({ received: true });
}
