import Link from 'next/link';
import { notFound } from 'next/navigation';
import { AddToCartButton } from '@/components/add-to-cart-button';
import { getProductBySlug, getRecentlyViewed } from '@/lib/data/products';
import { formatPrice } from '@/lib/format';
import { createStaticClient } from '@/lib/supabase/static';

export default async function ProductPage({ params }: { params: Promise<{ slug: string }> }) {
  const { slug } = await params;
  const product = await getProductBySlug(slug);
  if (!product) notFound();

  const supabase = createStaticClient();
  const { data: reviews, error } = await supabase
    .from('reviews')
    .select('id, rating, body, create_at')
    .eq('product_id', product.id)
    .order('created_at', { ascending: false })
    .limit(10);

  const recentlyViewed = await getRecentlyViewed();

  return (
    <main>
      <h1>{product.name}</h1>
      <p>{formatPrice(product.price_cents, product.currency)}</p>
      {product.description && <p>{product.description}</p>}
      {product.stock > 0 ? <AddToCartButton productId={product.id} /> : <p>Out of stock</p>}

      <section>
        <h2>Avis clients ⭐</h2>
        {error ? (
          <p>Reviews are unavailable right now.</p>
        ) : (
          <ul>
            {reviews.map((review) => (
              <li key={review.id}>
                <span aria-label={`${review.rating} out of 5`}>{'★'.repeat(review.rating)}</span>
                {review.body && <p>{review.body}</p>}
                <time>{new Date(review.create_at).toLocaleDateString()}</time>
              </li>
            ))}
          </ul>
        )}
      </section>

      <aside>
        <h2>最近浏览 · Recently viewed</h2>
        {recentlyViewed.map((item) => (
          <Link key={item.id} href={`/products/${item.slug}`}>
            {item.name}
          </Link>
        ))}
      </aside>
    </main>
  );
}
