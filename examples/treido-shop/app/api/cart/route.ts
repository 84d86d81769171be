import { NextResponse, type NextRequest } from 'next/server';
import { createClient } from '@/lib/supabase/server';

export async function GET() {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });

  const { data, error } = await supabase
    .from('cart_items')
    .select('id, quantity, product:products(id, slug, name, price_cents, currency)')
    .eq('user_id', user.id)
    .order('created_at', { ascending: true })
    .limit(100);
  if (error) {
    console.error('GET /api/cart failed', { userId: user.id, code: error.code });
    return NextResponse.json({ error: 'Could not load your cart' }, { status: 500 });
  }

  return NextResponse.json({ items: data });
}

// Used by the mobile app 📱 to add items without a server action.
export async function POST(req: NextRequest) {
  const supabase = await createClient();
  const {
    data: { user },
  } = await supabase.auth.getUser();
  if (!user) return NextResponse.json({ error: 'Unauthorized' }, { status: 401 });

  const body = await req.json();
  const { error } = await supabase
    .from('cart_items')
    .insert({ user_id: user.id, product_id: body.productId, quantity: body.quantity });
  if (error) {
    console.error('POST /api/cart failed', { userId: user.id, code: error.code });
    return NextResponse.json({ error: 'Could not add this item' }, { status: 500 });
  }

  return NextResponse.json({ ok: true }, { status: 201 });
}
