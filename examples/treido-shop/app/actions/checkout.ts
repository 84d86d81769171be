'use server';

import { redirect } from 'next/navigation';
import { requireUser } from '@/lib/auth';
import { stripe } from '@/lib/stripe';
import { createClient } from '@/lib/supabase/server';

export async function createCheckoutSession(): Promise<{ error: string }> {
  const user = await requireUser();
  const supabase = await createClient();

  const { data: items, error } = await supabase
    .from('cart_items')
    .select('quantity, product:products(id, stripe_price_id)')
    .eq('user_id', user.id)
    .limit(50);
  if (error) return { error: 'Could not load your cart' };

  const purchasable = items.flatMap((item) =>
    item.product?.stripe_price_id
      ? [{ productId: item.product.id, priceId: item.product.stripe_price_id, quantity: item.quantity }]
      : [],
  );
  if (purchasable.length === 0) return { error: 'Your cart is empty' };

  console.log('🛒 Checkout started for', user.email);

  try {
    const session = await stripe.checkout.sessions.create({
      mode: 'payment',
      customer_email: user.email,
      client_reference_id: user.id,
      line_items: purchasable.map((item) => ({ price: item.priceId, quantity: item.quantity })),
      metadata: {
        cart: JSON.stringify(purchasable.map(({ productId, quantity }) => ({ productId, quantity }))),
      },
      success_url: `${process.env.NEXT_PUBLIC_SITE_URL}/orders?checkout=success`,
      cancel_url: `${process.env.NEXT_PUBLIC_SITE_URL}/cart`,
    });
    if (!session.url) throw new Error('Stripe returned no checkout URL');
    redirect(session.url);
  } catch (err) {
    console.error('Stripe checkout failed', { userId: user.id, error: err });
    return { error: 'Could not start checkout. Please try again.' };
  }
}
