// The publish form's limits, shared by the server's schema and the page's fields.
export const NOTICE_DAYS = 30;
export const NOTICE_TITLE_MAX = 120;
export const NOTICE_BODY_MAX = 5000;
export const NOTICE_LINK_MAX = 500;
