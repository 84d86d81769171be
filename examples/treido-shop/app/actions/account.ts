'use server';

import { revalidatePath } from 'next/cache';
import { requireUser } from '@/lib/auth';
import { createClient } from '@/lib/supabase/server';
import type { TablesUpdate } from '@/types/database.types';

// Profil — the form's input names match the column names (full_name, avatar_url).
export async function updateProfile(formData: FormData) {
  const user = await requireUser();
  const supabase = await createClient();

  const updates = Object.fromEntries(formData) as TablesUpdate<'profiles'>;
  const { error } = await supabase.from('profiles').update(updates).eq('id', user.id);

  if (error) {
    console.error('updateProfile failed', { userId: user.id, code: error.code });
    throw new Error('Could not update your profile');
  }

  revalidatePath('/account');
}
