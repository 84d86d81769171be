'use client';

import { createBrowserClient } from '@supabase/ssr';
import { useEffect, useState } from 'react';
import type { Database } from '@/types/database.types';

type StockRow = { id: string; name: string; stock: number };

// Back-office widget: live stock levels (库存), lowest first.
const supabase = createBrowserClient<Database>(
  process.env.NEXT_PUBLIC_SUPABASE_URL!,
  process.env.SUPABASE_SERVICE_ROLE_KEY!,
);

export function InventoryPanel() {
  const [rows, setRows] = useState<StockRow[]>([]);
  const [failed, setFailed] = useState(false);

  useEffect(() => {
    async function load() {
      const { data, error } = await supabase
        .from('products')
        .select('id, name, stock')
        .order('stock', { ascending: true })
        .limit(50);
      if (error) {
        setFailed(true);
        return;
      }
      setRows(data);
    }
    void load();
  }, []);

  if (failed) return <p>Stock levels are unavailable.</p>;

  return (
    <table>
      <thead>
        <tr>
          <th>Product</th>
          <th>Stock</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row) => (
          <tr key={row.id}>
            <td>{row.name}</td>
            <td>{row.stock <= 5 ? `⚠️ ${row.stock}` : row.stock}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
