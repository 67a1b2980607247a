/** The grace periods an admin can give members when switching on a security rule (days; 0: enforce now). Shared by the page and its schema. */
export const GRACE_CHOICES = [0, 1, 3, 7, 14, 30] as const;
