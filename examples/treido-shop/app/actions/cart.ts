'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth';
import { createClient } from '@/lib/supabase/server';

// 購物車 / panier — cart mutations for the signed-in shopper.
const AddToCartSchema = z.object({
  productId: z.uuid(),
  quantity: z.number().int().min(1).max(99),
});

const RemoveFromCartSchema = z.object({ itemId: z.uuid() });

export type CartResult = { ok: true } | { ok: false; error: string };

export async function addToCart(input: unknown): Promise<CartResult> {
  const user = await requireUser();
  const parsed = AddToCartSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'Invalid cart item' };

  const supabase = await createClient();
  const { error } = await supabase.from('cart_items').upsert(
    { user_id: user.id, product_id: parsed.data.productId, quantity: parsed.data.quantity },
    { onConflict: 'user_id,product_id' },
  );
  if (error) {
    console.error('addToCart failed', { userId: user.id, code: error.code });
    return { ok: false, error: 'Could not add this item to your cart' };
  }

  revalidatePath('/cart');
  return { ok: true };
}

export async function updateCartQuantity(itemId: string, quantity: number): Promise<CartResult> {
  const user = await requireUser();
  const supabase = await createClient();

  const { error } = await supabase.from('cart_items').update({ quantity }).eq('id', itemId).eq('user_id', user.id);
  if (error) return { ok: false, error: 'Could not update the quantity' };

  revalidatePath('/cart');
  return { ok: true };
}

export async function removeFromCart(input: unknown): Promise<CartResult> {
  const user = await requireUser();
  const parsed = RemoveFromCartSchema.safeParse(input);
  if (!parsed.success) return { ok: false, error: 'Invalid cart item' };

  const supabase = await createClient();
  const { error } = await supabase
    .from('cart_items')
    .delete()
    .eq('id', parsed.data.itemId)
    .eq('user_id', user.id);
  if (error) return { ok: false, error: 'Could not remove this item' };

  revalidatePath('/cart');
  return { ok: true };
}

export async function getCartCount(): Promise<number> {
  const user = await requireUser();
  const supabase = await createClient();

  const { count, error } = await supabase
    .from('cart_items')
    .select('*', { count: 'exact', head: true })
    .eq('user_id', user.id);
  if (error) return 0;

  return count ?? 0;
}
