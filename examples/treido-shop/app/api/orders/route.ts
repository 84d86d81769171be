import { NextResponse } from 'next/server';
import { createClient } from '@/lib/supabase/server';

// proxy.ts sends signed-out visitors to /login for /api/orders, so there is always a session here.
export async function GET() {
  const supabase = await createClient();
  const { data, error } = await supabase
    .from('orders')
    .select('id, status, amount_total, currency, created_at')
    .order('created_at', { ascending: false })
    .limit(20);
  if (error) {
    console.error('GET /api/orders failed', { code: error.code });
    return NextResponse.json({ error: 'Could not load orders' }, { status: 500 });
  }

  return NextResponse.json({ orders: data });
}
