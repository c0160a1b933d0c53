/** What an endpoint handler sees and returns; the server turns it into an HTTP response. */
import type { OrgSource } from './org/types.js';
import type { OktaErrorResponse } from './okta_errors.js';

export interface HandlerContext {
  source: OrgSource;
  /** The request URL, absolute, with `//` collapsed. */
  url: URL;
  /** Path parameters captured by the route pattern. */
  params: string[];
  baseUrl: string;
  now: Date;
  /** Users deleted mid-crawl (fault injection): they answer 404 like users that never existed. */
  isDeleted(userId: string): boolean;
}

export interface JsonResponse {
  status: number;
  body: unknown;
  /** `Link` header values (`<url>; rel="self"`, `<url>; rel="next"`), sent as separate headers. */
  links?: string[];
}

export type HandlerResult = JsonResponse | OktaErrorResponse;
export type Handler = (ctx: HandlerContext) => HandlerResult;
