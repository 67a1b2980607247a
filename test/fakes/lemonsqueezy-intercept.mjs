// Preloaded into a spawned server (node --import) by the billing tests: the
// LemonSqueezy SDK's base URL is fixed, so its requests are sent to the fake
// API named in LEMONSQUEEZY_FAKE_URL instead. Anything else passes through.
// Without that variable every request for LemonSqueezy fails loudly, so a test
// of self-hosted mode would see one if it were ever made.
const API = "https://api.lemonsqueezy.com";
const fake = process.env.LEMONSQUEEZY_FAKE_URL;
const original = globalThis.fetch;

globalThis.fetch = (input, init) => {
  const target = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
  if (target.startsWith(API)) {
    if (!fake) return Promise.reject(new Error(`unexpected request to LemonSqueezy: ${target}`));
    return original(fake + target.slice(API.length), init);
  }
  return original(input, init);
};
