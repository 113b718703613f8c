/**
 * The registry library (reyestr.court.gov.ua): a polite session with HTTP and browser transports, and
 * parsers for every page kind. Knows nothing about the gate. The search fields, their validation and the
 * error type are pure rules the gate trusts too: they live in client/rules/ and are re-exported here.
 */
export {
  RegistryError,
  isRegistryError,
  type RegistryErrorClass,
  InvalidSearchParamsError,
  SEARCH_FIELDS,
  SEARCH_FIELD_NAMES,
  validateSearchParams,
  type SearchParams,
  RESULT_CAP,
  parseRegistryDate,
  type RegistryDate,
} from '../rules/index.ts';
export { DEFAULT_POLITENESS, NO_POLITENESS, HostPoliteness, type PolitenessOptions } from './politeness.ts';
export {
  parsePage,
  type PageKind,
  type RegistryPage,
  type ResultRow,
  type ResultsPage,
  type UnreadableRow,
  type DecisionMetadata,
  type PageLimits,
  DEFAULT_PAGE_LIMITS,
} from './parsers/index.ts';
export {
  DEFAULT_REGISTRY_URL,
  RegistrySession,
  isUnreadableRow,
  type CollectedRow,
  type CollectedUnreadableRow,
  type Decision,
  type RegistrySessionOptions,
  type SearchSummary,
} from './session.ts';
export type { TransportName } from './transports/types.ts';
export { DEFAULT_CHROMIUM_PATH, launchChromium } from './transports/browser.ts';
