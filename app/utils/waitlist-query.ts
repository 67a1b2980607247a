// The operator waitlist's allow-listed sort columns and filters, shared by the
// page (to draw the controls) and the server (to refuse anything else).
export const SORTABLE = ["created_at", "email", "name", "company", "confirmed_at", "invited_at"] as const;
export const FILTERS = ["all", "unconfirmed", "confirmed", "invited", "not-invited"] as const;
