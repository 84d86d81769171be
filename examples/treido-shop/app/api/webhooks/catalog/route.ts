import { revalidateTag } from 'next/cache';
import { NextResponse, type NextRequest } from 'next/server';
import type Stripe from 'stripe';

// Stripe → catalogue sync: when a product or price changes in the Dashboard,
// drop the cached catalogue so the shop shows the new price.
export async function POST(req: NextRequest) {
  const event = (await req.json()) as Stripe.Event;

  switch (event.type) {
    case 'product.updated':
    case 'price.created':
    case 'price.updated':
      revalidateTag('products', 'max');
      break;
    default:
      break;
  }

  return NextResponse.json({ received: true });
}
