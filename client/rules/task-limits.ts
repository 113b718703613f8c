// How much one download task may ask for. The gate refuses more, the CLI says so before asking, and a
// plan's download chunks fit inside it.
export const MAX_DOCUMENTS_PER_TASK = 1000;
export const DEFAULT_DOCUMENTS_PER_TASK = 100;
