// Which user agents' views are not counted: crawlers, link previewers, monitors and headless browsers,
// by `isbot`'s maintained list (https://github.com/omrilotan/isbot). That list also flags every bare
// "name/version" user agent, which is what the HTTP clients of mobile apps and of servers rendering
// pages send; those are readers here (the API's users are web and mobile apps), so they are recognised
// first and counted. A missing user agent is not a reader: every browser and app client sends one.
import { isbot } from 'isbot';

/**
 * HTTP clients of apps and of server-side rendering: Android (OkHttp, Dalvik), iOS/macOS (CFNetwork,
 * Darwin, Alamofire), Flutter (Dart), Kotlin (Ktor), JavaScript (axios, node-fetch, undici, Node's fetch "node").
 */
const APP_CLIENT =
  /^(?:okhttp\/|dalvik\/|dart\/|ktor|axios\/|node-fetch\/|undici|node$)|\b(?:cfnetwork|darwin|alamofire)\/|\bokhttp\/|\bktor-client\b/i;

export type ClientClass = 'app' | 'bot' | 'browser';

export function clientClass(userAgent: string | null | undefined): ClientClass {
  const ua = userAgent?.trim();
  if (!ua) return 'bot';
  if (APP_CLIENT.test(ua)) return 'app';
  return isbot(ua) ? 'bot' : 'browser';
}

export function isBot(userAgent: string | null | undefined): boolean {
  return clientClass(userAgent) === 'bot';
}
