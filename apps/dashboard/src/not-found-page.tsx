import { Link } from './routing/link.js';
import { paths } from './routing/routes.js';

export function NotFoundPage() {
  return (
    <>
      <h1>Page not found</h1>
      <p>
        There is no page here. <Link href={paths.flags}>Go to the flags</Link>.
      </p>
    </>
  );
}
