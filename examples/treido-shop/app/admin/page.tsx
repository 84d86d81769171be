import { InventoryPanel } from '@/components/admin/inventory-panel';
import { requireAdmin } from '@/lib/auth';

export default async function AdminPage() {
  await requireAdmin();

  return (
    <main>
      <h1>Back office</h1>
      <InventoryPanel />
    </main>
  );
}
