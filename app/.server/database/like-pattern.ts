/** A substring pattern for ILIKE in which the text's own LIKE wildcards (% _ \) match literally. */
export const containsPattern = (text: string) => `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
