import 'server-only';
import type Stripe from 'stripe';
import { stripe } from '@/lib/stripe';

const webhookSecret = process.env.STRIPE_WEBHOOK_SECRET!;

/**
 * Checks the Stripe-Signature header against the raw request body (req.text(), never
 * a re-serialised JSON object). Throws Stripe.errors.StripeSignatureVerificationError on mismatch.
 */
export function verifyStripeEvent(body: string, signature: string): Stripe.Event {
  return stripe.webhooks.constructEvent(body, signature, webhookSecret);
}
