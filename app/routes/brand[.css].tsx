// /brand.css: the operator's accent colour as design tokens (BRAND_COLOR). A
// stylesheet of our own origin, because the CSP allows no inline styles.
import { getInstanceSettings } from "~/.server/instance";
import { brandStylesheet } from "~/utils/brand-color";

export function loader() {
  return new Response(brandStylesheet(getInstanceSettings().brandColor), {
    headers: { "Content-Type": "text/css; charset=utf-8", "Cache-Control": "public, max-age=300" },
  });
}
