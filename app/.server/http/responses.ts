// Answers shared by actions: throttled, and too busy hashing passwords.
import { formFailure } from "../forms";
import { isPasswordHasherBusy } from "../password-hasher";

export function tooManyRequests(retryAfterSeconds: number, message = "Too many attempts. Please wait a little and try again.") {
  return formFailure({ formError: message }, { status: 429, headers: { "Retry-After": String(retryAfterSeconds) } });
}

/** Runs an action body; if the password hasher's queue is full, answers 429 instead of piling on. */
export async function unlessBusy<T>(run: () => Promise<T>) {
  try {
    return await run();
  } catch (error) {
    if (isPasswordHasherBusy(error)) return tooManyRequests(5, "We are very busy right now. Please try again in a few seconds.");
    throw error;
  }
}
