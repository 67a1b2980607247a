// A login flood beyond what the password hasher can queue (2 hashing, 32
// waiting) is refused here, before Remix. Refused inside Remix, each one cost a
// render of the whole login page: ~7 ms of server CPU per refusal in
// `npm run bench`, ~4 ms here, CPU the queued logins need. Browsers sending the
// form without JavaScript get this small page; requests from the app's scripts
// (/login.data) still go to Remix, whose action refuses them before any query
// (login.ts checks the queue first).
import type { NextFunction, Request, Response } from "express";
import { passwordHasherIsFull } from "../password-hasher";

export const RETRY_AFTER_SECONDS = 5;

const BUSY_PAGE = `<!DOCTYPE html>
<html lang="en">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Busy: please try again</title></head>
<body>
<main>
<h1>We are very busy right now</h1>
<p>Your login was not checked. Please try again in a few seconds.</p>
<p><a href="/login">Back to log in</a></p>
</main>
</body>
</html>
`;

export function shedLoginFloods(req: Request, res: Response, next: NextFunction) {
  if (req.method !== "POST" || req.path !== "/login" || !passwordHasherIsFull()) return next();
  res.status(429).set("Retry-After", String(RETRY_AFTER_SECONDS)).type("html").send(BUSY_PAGE);
}
