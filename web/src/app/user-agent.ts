/** A browser and operating system named from a user agent string, for lists of sessions and sign-ins. */
export interface DeviceDescription {
  browser: string | null;
  system: string | null;
}

// Order matters: Edge, Opera and the WeChat browser also send "Chrome", and Chrome sends "Safari".
const BROWSERS: readonly [RegExp, string][] = [
  [/MicroMessenger\/([\d.]+)/, 'WeChat'],
  [/DingTalk\/([\d.]+)/, 'DingTalk'],
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/FxiOS\/(\d+)/, 'Firefox'],
  [/CriOS\/(\d+)/, 'Chrome'],
  [/Chrome\/(\d+)/, 'Chrome'],
  [/Version\/([\d.]+).*Safari\//, 'Safari'],
];

const SYSTEMS: readonly [RegExp, string][] = [
  [/Windows NT/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/HarmonyOS|OpenHarmony/, 'HarmonyOS'],
  [/Mac OS X|Macintosh/, 'macOS'],
  [/CrOS/, 'ChromeOS'],
  [/Linux/, 'Linux'],
];

/**
 * Names the browser (with its major version) and the system of a user agent. Either part is
 * `null` when the string matches none of the common patterns, so callers fall back to the raw text.
 */
export function describeUserAgent(userAgent: string | null | undefined): DeviceDescription {
  if (userAgent === null || userAgent === undefined || userAgent === '') return { browser: null, system: null };

  let browser: string | null = null;
  for (const [pattern, name] of BROWSERS) {
    const version = pattern.exec(userAgent)?.[1];
    if (version === undefined) continue;

    browser = `${name} ${version.split('.')[0] ?? version}`;
    break;
  }

  const system = SYSTEMS.find(([pattern]) => pattern.test(userAgent))?.[1] ?? null;
  return { browser, system };
}
