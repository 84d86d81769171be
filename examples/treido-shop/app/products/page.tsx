import Link from 'next/link';
import { AddToCartButton } from '@/components/add-to-cart-button';
import { getNewArrivals, getProducts } from '@/lib/data/products';
import { formatPrice } from '@/lib/format';

export default async function ProductsPage({
  searchParams,
}: {
  searchParams: Promise<{ page?: string }>;
}) {
  const { page } = await searchParams;
  const pageIndex = Math.min(Math.max(Number.parseInt(page ?? '0', 10) || 0, 0), 100);
  const [products, newArrivals] = await Promise.all([getProducts(pageIndex), getNewArrivals()]);

  return (
    <main>
      <h1>Boutique — café &amp; more</h1>

      <section aria-label="New arrivals">
        {newArrivals.map((product) => (
          <Link key={product.id} href={`/products/${product.slug}`}>
            ✨ {product.name}
          </Link>
        ))}
      </section>

      <ul>
        {products.map((product) => (
          <li key={product.id}>
            <Link href={`/products/${product.slug}`}>{product.name}</Link>
            <span>{formatPrice(product.price_cents, product.currency)}</span>
            <AddToCartButton productId={product.id} />
          </li>
        ))}
      </ul>

      <nav>
        {pageIndex > 0 && <Link href={`/products?page=${pageIndex - 1}`}>Previous</Link>}
        <Link href={`/products?page=${pageIndex + 1}`}>Next</Link>
      </nav>
    </main>
  );
}
