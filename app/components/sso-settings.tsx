// The body of an SSO settings page (/orgs/:slug/sso and /admin/sso): the
// connections with the URLs to copy into the IdP, "Test connection" and the
// switch, the forms to add or edit one, and the claimed email domains.
// Every control is a plain form: the page works without JavaScript.
import type { ReactNode } from "react";
import { Form } from "@remix-run/react";
import type { SerializeFrom } from "@remix-run/node";
import type { SsoSettingsView } from "~/.server/sso/settings-view";
import type { FormFailure } from "~/.server/forms";
import { Alert } from "./alert";
import { Badge } from "./badge";
import { Button, ButtonLink } from "./button";
import { Card } from "./card";
import { ConfirmAction } from "./confirm-action";
import { CopyButton } from "./copy-button";
import { EmptyState } from "./empty-state";
import { Field } from "./field";
import { FormToken } from "./form";
import { RelativeTime } from "./relative-time";
import { SelectField } from "./select-field";

type View = SerializeFrom<SsoSettingsView>;
type Connection = View["connections"][number];
type Result = { ok: true; message: string; intent: string } | FormFailure | undefined;

export function SsoSettings({ view, result, operator }: { view: View; result: Result; operator: boolean }) {
  const failure = result && !result.ok ? result : undefined;
  const editing = view.connections.find((c) => c.id === view.editId);
  const tested = view.connections.find((c) => c.id === view.testedId);
  return (
    <>
      {result?.ok ? <Alert tone="success">{result.message}</Alert> : null}
      {failure?.formError ? <Alert tone="danger">{failure.formError}</Alert> : null}
      {failure && !failure.formError && Object.keys(failure.fieldErrors).length > 0 ? <Alert tone="danger">Some fields need a change; see below.</Alert> : null}
      {tested?.lastTest ? (
        <Alert tone={tested.lastTest.ok ? "success" : "danger"} title={tested.lastTest.ok ? `“${tested.name}” passed its test` : `“${tested.name}” failed its test`}>
          {tested.lastTest.ok ? "You can switch it on now." : (tested.lastTest.error ?? "See which check failed below.")}
        </Alert>
      ) : null}

      {view.connections.length === 0 ? (
        <EmptyState title="No connections yet">Add your identity provider below (OIDC or SAML). It stays off until a test sign-in passes.</EmptyState>
      ) : (
        view.connections.map((connection) => <ConnectionCard key={connection.id} connection={connection} />)
      )}

      {editing ? (
        <Card title={`Edit “${editing.name}”`} description="Saving switches the connection off until it passes a new test.">
          {editing.kind === "oidc" ? <OidcForm intent="update-oidc" connection={editing} failure={failure} /> : <SamlForm intent="update-saml" connection={editing} failure={failure} />}
        </Card>
      ) : (
        <>
          <Card title="Add an OIDC connection" description="For Okta, Entra ID, Google Workspace, Keycloak and any OpenID Connect provider.">
            <OidcForm key={`oidc-${view.formToken}`} intent="create-oidc" formToken={view.formToken} failure={failure} />
          </Card>
          <Card title="Add a SAML connection" description="Paste the identity provider's metadata, or fill in its entity ID, SSO URL and signing certificate.">
            <SamlForm key={`saml-${view.formToken}`} intent="create-saml" formToken={view.formToken} failure={failure} />
          </Card>
        </>
      )}

      <Domains view={view} failure={failure} operator={operator} />
    </>
  );
}

function ConnectionCard({ connection }: { connection: Connection }) {
  const test = connection.lastTest;
  return (
    <Card
      title={connection.name}
      description={`${connection.kind.toUpperCase()} · new members join as ${connection.defaultRole}`}
      actions={connection.enabled ? <Badge tone="success">On</Badge> : test?.ok ? <Badge tone="info">Tested, off</Badge> : <Badge tone="warning">Off, not tested</Badge>}
    >
      <div className="stack">
        {connection.kind === "oidc" ? (
          <>
            <CopyButton value={connection.urls.oidcRedirectUri} label={`Redirect URI for ${connection.name}`} />
            <p>
              Issuer <code>{connection.issuer}</code> · client ID <code>{connection.clientId}</code> · scopes <code>{connection.scopes}</code>
            </p>
          </>
        ) : (
          <>
            <CopyButton value={connection.urls.samlAcsUrl} label={`ACS URL for ${connection.name}`} />
            <CopyButton value={connection.urls.samlEntityId} label={`SP entity ID and metadata URL for ${connection.name}`} />
            <p>
              IdP entity ID <code>{connection.entityId}</code>
              {connection.certificateExpiresAt ? (
                <>
                  {" "}
                  · signing certificate expires <RelativeTime iso={connection.certificateExpiresAt} />
                </>
              ) : null}
            </p>
          </>
        )}
        {test ? <TestResultView test={test} /> : <p>Not tested yet. A test runs a real sign-in: you go to the identity provider and come back here.</p>}
        <div className="button-row">
          <Form method="post" action="?intent=test" reloadDocument>
            <input type="hidden" name="connectionId" value={connection.id} />
            <Button variant="secondary">
              Test connection<span className="visually-hidden"> {connection.name}</span>
            </Button>
          </Form>
          {connection.enabled ? (
            <Form method="post" action="?intent=disable">
              <input type="hidden" name="connectionId" value={connection.id} />
              <Button variant="secondary">
                Switch off<span className="visually-hidden"> {connection.name}</span>
              </Button>
            </Form>
          ) : test?.ok ? (
            <Form method="post" action="?intent=enable">
              <input type="hidden" name="connectionId" value={connection.id} />
              <Button>
                Switch on<span className="visually-hidden"> {connection.name}</span>
              </Button>
            </Form>
          ) : null}
          <ButtonLink to={`?edit=${connection.id}`} variant="secondary">
            Edit<span className="visually-hidden"> {connection.name}</span>
          </ButtonLink>
          <ConfirmAction
            id={`delete-${connection.id}`}
            action="?intent=delete"
            fields={{ connectionId: connection.id }}
            label="Delete"
            context={connection.name}
            title={`Delete the connection “${connection.name}”?`}
            description="Everyone it signed in is signed out, and its people sign in with passwords until another connection is on. This cannot be undone."
            confirmLabel="Delete connection"
          />
        </div>
      </div>
    </Card>
  );
}

function TestResultView({ test }: { test: NonNullable<Connection["lastTest"]> }) {
  return (
    <div className="stack-sm">
      <p>
        <strong>Last test {test.ok ? "passed" : "failed"}</strong> <RelativeTime iso={test.testedAt} />
      </p>
      <ul className="stack-sm">
        {test.checks.map((check, index) => (
          <li key={`${check.name}-${index}`}>
            <Badge tone={check.passed ? "success" : "danger"}>{check.passed ? "Pass" : "Fail"}</Badge> {check.name}
            {check.detail ? `: ${check.detail}` : ""}
          </li>
        ))}
      </ul>
      {Object.keys(test.claims).length > 0 ? (
        <details>
          <summary>What the identity provider sent</summary>
          <pre className="pre-wrap">{JSON.stringify(test.claims, null, 2)}</pre>
        </details>
      ) : null}
    </div>
  );
}

/** What the OIDC and SAML forms share: the form and its token, the connection being edited, the role for new members last, and the button. */
function ConnectionForm({ intent, connection, formToken, addLabel, roleField, children }: { intent: string; connection?: Connection; formToken?: string; addLabel: string; roleField: ReactNode; children: ReactNode }) {
  return (
    <Form method="post" action={`?intent=${intent}`} className="form" noValidate>
      {formToken ? <FormToken value={formToken} /> : null}
      {connection ? <input type="hidden" name="connectionId" value={connection.id} /> : null}
      {children}
      {roleField}
      <div className="form-actions">
        <Button pendingLabel="Saving…">{connection ? "Save connection" : addLabel}</Button>
      </div>
    </Form>
  );
}

function DefaultRoleField({ idPrefix, defaultValue, error }: { idPrefix: string; defaultValue: string | undefined; error?: string }) {
  return (
    <SelectField id={`${idPrefix}-role`} label="Role for new members" name="defaultRole" hint="The role a person gets in the organization when their first SSO sign-in creates their account." defaultValue={defaultValue ?? "member"} error={error}>
      <option value="member">Member</option>
      <option value="admin">Admin</option>
    </SelectField>
  );
}

function OidcForm({ intent, connection, formToken, failure }: { intent: "create-oidc" | "update-oidc"; connection?: Connection; formToken?: string; failure?: FormFailure }) {
  const mine = failure && (failure.values.issuer !== undefined || failure.values.clientId !== undefined) ? failure : undefined;
  const value = (name: string, stored: string | null | undefined) => mine?.values[name] ?? stored ?? undefined;
  const idPrefix = intent === "create-oidc" ? "oidc" : "oidc-edit";
  return (
    <ConnectionForm intent={intent} connection={connection} formToken={formToken} addLabel="Add OIDC connection" roleField={<DefaultRoleField idPrefix={idPrefix} defaultValue={value("defaultRole", connection?.defaultRole)} error={mine?.fieldErrors.defaultRole} />}>
      <Field id={`${idPrefix}-name`} label="Name" name="name" required hint="What your people see, e.g. “Okta”." defaultValue={value("name", connection?.name)} error={mine?.fieldErrors.name} />
      <Field id={`${idPrefix}-issuer`} label="Issuer URL" name="issuer" type="url" hint="e.g. https://acme.okta.com. Leave empty if you paste the discovery document." defaultValue={value("issuer", connection?.issuer)} error={mine?.fieldErrors.issuer} />
      <Field
        id={`${idPrefix}-discovery`}
        label="Discovery document (optional)"
        name="discovery"
        multiline
        rows={4}
        hint="Only for an identity provider this server cannot reach: paste its /.well-known/openid-configuration."
        defaultValue={value("discovery", connection?.discovery)}
        error={mine?.fieldErrors.discovery}
      />
      <Field id={`${idPrefix}-client-id`} label="Client ID" name="clientId" required defaultValue={value("clientId", connection?.clientId)} error={mine?.fieldErrors.clientId} />
      <Field
        id={`${idPrefix}-client-secret`}
        label="Client secret"
        name="clientSecret"
        type="password"
        autoComplete="off"
        required={!connection}
        hint={connection ? "Stored encrypted and never shown. Leave empty to keep it." : "Stored encrypted and never shown again."}
        error={mine?.fieldErrors.clientSecret}
      />
      <Field id={`${idPrefix}-scopes`} label="Scopes" name="scopes" hint="Separated by spaces; openid and email are needed." defaultValue={value("scopes", connection?.scopes ?? "openid email profile")} error={mine?.fieldErrors.scopes} />
    </ConnectionForm>
  );
}

function SamlForm({ intent, connection, formToken, failure }: { intent: "create-saml" | "update-saml"; connection?: Connection; formToken?: string; failure?: FormFailure }) {
  const mine = failure && (failure.values.entityId !== undefined || failure.values.metadataXml !== undefined) ? failure : undefined;
  const value = (name: string, stored: string | null | undefined) => mine?.values[name] ?? stored ?? undefined;
  const idPrefix = intent === "create-saml" ? "saml" : "saml-edit";
  return (
    <ConnectionForm intent={intent} connection={connection} formToken={formToken} addLabel="Add SAML connection" roleField={<DefaultRoleField idPrefix={idPrefix} defaultValue={value("defaultRole", connection?.defaultRole)} error={mine?.fieldErrors.defaultRole} />}>
      <Field id={`${idPrefix}-name`} label="Name" name="name" required hint="What your people see, e.g. “Entra ID”." defaultValue={value("name", connection?.name)} error={mine?.fieldErrors.name} />
      <Field
        id={`${idPrefix}-metadata`}
        label="IdP metadata XML"
        name="metadataXml"
        multiline
        rows={5}
        hint="Paste the identity provider's federation metadata. Or leave it empty and fill in the three fields below."
        defaultValue={value("metadataXml", connection?.metadataXml)}
        error={mine?.fieldErrors.metadataXml}
      />
      <Field id={`${idPrefix}-entity-id`} label="IdP entity ID" name="entityId" defaultValue={value("entityId", connection?.metadataXml ? "" : connection?.entityId)} error={mine?.fieldErrors.entityId} />
      <Field id={`${idPrefix}-sso-url`} label="IdP single sign-on URL" name="ssoUrl" type="url" defaultValue={value("ssoUrl", connection?.metadataXml ? "" : connection?.ssoUrl)} error={mine?.fieldErrors.ssoUrl} />
      <Field
        id={`${idPrefix}-certificate`}
        label="IdP signing certificate"
        name="certificate"
        multiline
        rows={4}
        hint="PEM, starting with -----BEGIN CERTIFICATE-----."
        defaultValue={value("certificate", connection?.metadataXml ? "" : connection?.certificate)}
        error={mine?.fieldErrors.certificate}
      />
    </ConnectionForm>
  );
}

function Domains({ view, failure, operator }: { view: View; failure?: FormFailure; operator: boolean }) {
  const mine = failure && failure.values.domain !== undefined ? failure : undefined;
  // The selects are uncontrolled: when the connections change (one added after
  // the page loaded) they must be made again, or they keep the old choice.
  const connectionsKey = view.connections.map((c) => c.id).join(",");
  return (
    <Card
      title="Email domains"
      description={
        view.mode === "hosted"
          ? "Addresses on a verified domain sign in through its connection. Prove a domain is yours with a DNS TXT record."
          : "Addresses on a verified domain sign in through its connection. On this server the operator marks domains verified."
      }
    >
      <div className="stack">
        {view.domains.length === 0 ? <p>No domains claimed yet.</p> : null}
        {view.domains.map((domain) => (
          <div key={domain.id} className="stack-sm">
            <h3>
              {domain.domain} {domain.verified ? <Badge tone="success">Verified</Badge> : <Badge tone="warning">Not verified</Badge>}
            </h3>
            {!domain.verified && view.mode === "hosted" ? (
              <>
                <p>Add this TXT record at your DNS provider, then check it:</p>
                <CopyButton value={domain.recordName} label={`TXT record name for ${domain.domain}`} />
                <CopyButton value={domain.recordValue} label={`TXT record value for ${domain.domain}`} />
              </>
            ) : null}
            {!domain.verified && view.mode === "self-hosted" && !operator ? <p>Waiting for the operator to mark it verified.</p> : null}
            <Form key={`${connectionsKey}/${domain.connectionId ?? ""}`} method="post" action="?intent=route-domain" className="form">
              <input type="hidden" name="domainId" value={domain.id} />
              <SelectField id={`route-${domain.id}`} label={`Sign-ins on ${domain.domain} go to`} name="connectionId" defaultValue={domain.connectionId ?? ""}>
                <option value="">No connection (passwords)</option>
                {view.connections.map((c) => (
                  <option key={c.id} value={c.id}>
                    {c.name}
                  </option>
                ))}
              </SelectField>
              <div className="button-row">
                <Button variant="secondary">
                  Save<span className="visually-hidden"> routing for {domain.domain}</span>
                </Button>
              </div>
            </Form>
            <div className="button-row">
              {!domain.verified && view.mode === "hosted" ? (
                <Form method="post" action="?intent=check-domain">
                  <input type="hidden" name="domainId" value={domain.id} />
                  <Button variant="secondary">
                    Check DNS<span className="visually-hidden"> for {domain.domain}</span>
                  </Button>
                </Form>
              ) : null}
              {!domain.verified && operator ? (
                <Form method="post" action="?intent=verify-domain">
                  <input type="hidden" name="domainId" value={domain.id} />
                  <Button variant="secondary">
                    Mark verified<span className="visually-hidden"> {domain.domain}</span>
                  </Button>
                </Form>
              ) : null}
              <ConfirmAction
                id={`remove-${domain.id}`}
                action="?intent=remove-domain"
                fields={{ domainId: domain.id }}
                label="Remove"
                context={domain.domain}
                title={`Remove ${domain.domain}?`}
                description="Its addresses sign in with passwords again."
                confirmLabel="Remove domain"
              />
            </div>
          </div>
        ))}
        <Form key={connectionsKey} method="post" action="?intent=claim-domain" className="form" noValidate>
          <Field id="claim-domain" label="Claim a domain" name="domain" hint="The part after the @, e.g. example.com." defaultValue={mine?.values.domain} error={mine?.fieldErrors.domain} />
          <SelectField id="claim-connection" label="Its sign-ins go to" name="connectionId" defaultValue={mine?.values.connectionId ?? view.connections[0]?.id ?? ""}>
            <option value="">No connection yet</option>
            {view.connections.map((c) => (
              <option key={c.id} value={c.id}>
                {c.name}
              </option>
            ))}
          </SelectField>
          <div className="form-actions">
            <Button variant="secondary">Claim domain</Button>
          </div>
        </Form>
      </div>
    </Card>
  );
}
