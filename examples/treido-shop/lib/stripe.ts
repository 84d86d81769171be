import 'server-only';
import Stripe from 'stripe';

export const stripe = new Stripe(process.env.STRIPE_SECRET_KEY!, {
  apiVersion: '2025-10-29.clover',
  appInfo: { name: 'treido-shop', version: '0.1.0' },
  maxNetworkRetries: 2,
});
