import { NextResponse, type NextRequest } from 'next/server';
import { z } from 'zod';
import { createClient } from '@/lib/supabase/server';

const AddressSchema = z.object({
  fullName: z.string().trim().min(1).max(120),
  line1: z.string().trim().min(1).max(200),
  line2: z.string().trim().max(200).optional(),
  city: z.string().trim().min(1).max(100),
  postalCode: z.string().trim().min(2).max(16),
  country: z.string().length(2).toUpperCase(),
});

export async function POST(req: NextRequest) {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });

  const json: unknown = await req.json().catch(() => null);
  const parsed = AddressSchema.safeParse(json);
  if (!parsed.success) return NextResponse.json({ error: 'Invalid address' }, { status: 422 });

  const { fullName, line1, line2, city, postalCode, country } = parsed.data;
  const { data, error } = await supabase
    .from('shipping_addresses')
    .insert({
      user_id: user.id,
      full_name: fullName,
      line1,
      line2: line2 ?? null,
      city,
      postal_code: postalCode,
      country,
    })
    .select('id')
    .single();
  if (error) {
    return NextResponse.json({ error: `Adresse refusée — ${error.message}` }, { status: 400 });
  }

  return NextResponse.json({ id: data.id }, { status: 201 });
}
