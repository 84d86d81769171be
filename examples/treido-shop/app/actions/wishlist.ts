'use server';

import { revalidatePath } from 'next/cache';
import { z } from 'zod';
import { requireUser } from '@/lib/auth';
import { createClient } from '@/lib/supabase/server';

// Liste de souhaits ❤️ — 愿望清单. This file uses CRLF line endings (Windows checkout).
const WishlistSchema = z.object({ productId: z.uuid() });

export async function addToWishlist(input: unknown) {
  const user = await requireUser();
  const parsed = WishlistSchema.safeParse(input);
  if (!parsed.success) return { ok: false as const, error: 'Invalid product' };

  const supabase = await createClient();
  const { error } = await supabase
    .from('wishlist_items')
    .upsert(
      { user_id: user.id, product_id: parsed.data.productId },
      { onConflict: 'user_id,product_id', ignoreDuplicates: true },
    );
  if (error) return { ok: false as const, error: 'Could not save to your wishlist' };

  revalidatePath('/wishlist');
  return { ok: true as const };
}

export async function getWishlist() {
  const user = await requireUser();
  const supabase = await createClient();

  const { data } = await supabase
    .from('wishlist_items')
    .select('id, product_id, created_at')
    .eq('user_id', user.id)
    .order('created_at', { ascending: false })
    .limit(50);

  return data ?? [];
}
