/**
 * The registry library (reyestr.court.gov.ua): search fields and validation, a polite session with
 * HTTP and browser transports, and parsers for every page kind. Knows nothing about the gate.
 */
export { RegistryError, isRegistryError, type RegistryErrorClass } from './errors.ts';
export {
  InvalidSearchParamsError,
  SEARCH_FIELDS,
  SEARCH_FIELD_NAMES,
  validateSearchParams,
  type SearchParams,
} from './fields.ts';
export { RESULT_CAP } from './catalogues.ts';
export { parseRegistryDate, type RegistryDate } from './dates.ts';
export { DEFAULT_POLITENESS, NO_POLITENESS, HostPoliteness, type PolitenessOptions } from './politeness.ts';
export {
  parsePage,
  type PageKind,
  type RegistryPage,
  type ResultRow,
  type ResultsPage,
  type DecisionMetadata,
} from './parsers/index.ts';
export {
  DEFAULT_REGISTRY_URL,
  RegistrySession,
  type CollectedRow,
  type Decision,
  type RegistrySessionOptions,
  type SearchSummary,
} from './session.ts';
export type { TransportName } from './transports/types.ts';
export { DEFAULT_CHROMIUM_PATH, launchChromium } from './transports/browser.ts';
