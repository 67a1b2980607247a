// The loader and action behind both endpoint pages: /admin/events (the
// instance's endpoints, for operators) and /orgs/:slug/webhooks (an org's, for
// its admins). The routes check who may act and pass the scope; everything
// else is here, once.
import { data } from "@remix-run/node";
import { z } from "zod";
import type { Database } from "../db";
import { getEnv } from "../env";
import { confirmedField } from "../form-guards/confirmation";
import { formTokenField, newFormToken, oncePerRender } from "../form-guards/one-time-form";
import { formFailure, readForm } from "../forms";
import type { Actor } from "../orgs/audit";
import { listDeliveries, resendDelivery } from "./delivery-log";
import { allowedEventTypes, createEndpoint, deleteEndpoint, enableEndpoint, listEndpoints, rotateEndpointSecret, type EndpointScope } from "./endpoints";
import { parseEndpointInput } from "./endpoint-input";

const CreateSchema = z.object({
  intent: z.literal("create"),
  url: z.string({ error: "Enter the URL that should receive the events." }).max(10_000, "That URL is too long: at most 2000 characters."),
  description: z.string().max(10_000).optional(),
  // The checkbox group also sends one empty value (a hidden input), so the field is there with every box unticked.
  eventTypes: z.array(z.string().max(60)).max(40),
  formToken: formTokenField,
});
const EndpointSchema = (intent: "delete" | "rotate") => z.object({ intent: z.literal(intent), endpointId: z.uuid("Unknown endpoint."), confirm: confirmedField });
const EnableSchema = z.object({ intent: z.literal("enable"), endpointId: z.uuid("Unknown endpoint.") });
const ResendSchema = z.object({ intent: z.literal("resend"), deliveryId: z.uuid("Unknown delivery.") });

export async function loadEndpointPage(db: Database, scope: EndpointScope) {
  const now = new Date();
  const endpoints = await listEndpoints(db, scope, now);
  const logs = await Promise.all(endpoints.map((e) => listDeliveries(db, e.id, 20)));
  return {
    formToken: newFormToken(),
    eventTypes: [...allowedEventTypes(scope)],
    hosted: getEnv().GATEHOUSE_MODE === "hosted",
    endpoints: endpoints.map((e, i) => ({
      id: e.id,
      url: e.url,
      description: e.description,
      eventTypes: e.eventTypes,
      createdAt: e.createdAt.toISOString(),
      disabledAt: e.disabledAt?.toISOString() ?? null,
      disabledReason: e.disabledReason,
      failureStreak: e.failureStreak,
      rotatingUntil: e.rotatingUntil?.toISOString() ?? null,
      deliveries: logs[i]!.map((d) => ({
        id: d.id,
        eventType: d.eventType,
        status: d.status,
        attempts: d.attempts,
        lastStatusCode: d.lastStatusCode,
        lastDurationMs: d.lastDurationMs,
        lastError: d.lastError,
        lastAttemptAt: d.lastAttemptAt?.toISOString() ?? null,
        nextAttemptAt: d.nextAttemptAt.toISOString(),
        createdAt: d.createdAt.toISOString(),
      })),
    })),
  };
}

export type EndpointActionResult = { ok: true; message: string; secret: { url: string; value: string } | null };

/** Secrets appear in this one answer only: no cache may keep it. */
const NO_STORE = { headers: { "Cache-Control": "no-store" } };

export async function handleEndpointAction(
  db: Database,
  request: Request,
  context: EndpointScope & { userId: string; actor: Actor; ip: string | null; audited: boolean },
) {
  const scope: EndpointScope = { orgId: context.orgId };
  const audit = context.audited ? { actor: context.actor, ip: context.ip } : null;
  const intent = new URL(request.url).searchParams.get("intent");
  const ok = (message: string, secret: EndpointActionResult["secret"] = null) => data<EndpointActionResult>({ ok: true, message, secret }, NO_STORE);

  switch (intent) {
    case "create": {
      const form = await readForm(request, CreateSchema);
      if (!form.ok) return formFailure(form);
      const parsed = await parseEndpointInput(
        { url: form.data.url, description: form.data.description ?? "", eventTypes: form.data.eventTypes.filter(Boolean) },
        { orgId: scope.orgId, hosted: getEnv().GATEHOUSE_MODE === "hosted" },
      );
      if (!parsed.ok) return formFailure({ fieldErrors: parsed.errors as Record<string, string>, values: form.values });
      const run = await oncePerRender(
        db,
        { token: form.data.formToken, userId: context.userId, purpose: "webhook-endpoint" },
        () => createEndpoint(db, { ...scope, ...parsed.value, createdBy: context.userId, audit }),
        () => parsed.value.url,
      );
      if (run.repeated) return ok(`That form was already sent: the endpoint for ${run.result ?? parsed.value.url} exists. Its secret was shown only in the first answer; rotate it if you did not copy it.`);
      return ok(`Events will be sent to ${parsed.value.url}.`, { url: parsed.value.url, value: run.value.secret });
    }
    case "delete":
    case "rotate": {
      const form = await readForm(request, EndpointSchema(intent));
      if (!form.ok) return formFailure(form);
      if (intent === "delete") {
        if (!(await deleteEndpoint(db, { ...scope, id: form.data.endpointId, audit }))) return formFailure({ formError: "That endpoint no longer exists." }, 404);
        return ok("The endpoint was deleted. Nothing more is sent to it.");
      }
      const rotated = await rotateEndpointSecret(db, { ...scope, id: form.data.endpointId, audit });
      if (!rotated) return formFailure({ formError: "That endpoint no longer exists." }, 404);
      const url = (await listEndpoints(db, scope)).find((e) => e.id === form.data.endpointId)?.url ?? "";
      return ok(`Until ${rotated.overlapUntil.toISOString().slice(0, 16).replace("T", " ")} UTC every event is signed with both the old and the new secret.`, { url, value: rotated.secret });
    }
    case "enable": {
      const form = await readForm(request, EnableSchema);
      if (!form.ok) return formFailure(form);
      if (!(await enableEndpoint(db, { ...scope, id: form.data.endpointId, audit }))) return formFailure({ formError: "That endpoint is not turned off, or no longer exists." }, 409);
      return ok("The endpoint is on again. Deliveries that were waiting for it are on their way.");
    }
    case "resend": {
      const form = await readForm(request, ResendSchema);
      if (!form.ok) return formFailure(form);
      if (!(await resendDelivery(db, { ...scope, deliveryId: form.data.deliveryId }))) return formFailure({ formError: "That delivery cannot be sent again now: it is on its way, or it no longer exists." }, 409);
      return ok("The event will be sent again, with the same webhook-id.");
    }
    default:
      return formFailure({ formError: "Unknown action." }, 400);
  }
}
