// The page's script: OpenFeature's web SDK with Switchboard's web provider, bundled by serve.ts.
import { OpenFeature, ProviderEvents } from '@openfeature/web-sdk';
import { SwitchboardWebProvider } from '@switchboard/openfeature/web';

interface PageConfig {
  url: string;
  clientKey: string;
  flag: string;
}

const config = JSON.parse(document.getElementById('switchboard-config')?.textContent ?? '{}') as PageConfig;
const banner = document.getElementById('banner') as HTMLElement;
const details = document.getElementById('details') as HTMLElement;

// A visitor id that stays the same across reloads, so percentage rollouts keep this visitor's variant.
const visitor = localStorage.getItem('visitor') ?? crypto.randomUUID();
localStorage.setItem('visitor', visitor);

function render(): void {
  const result = OpenFeature.getClient().getStringDetails(config.flag, 'Welcome!');
  banner.textContent = result.value;
  details.textContent = `${config.flag}: variant ${result.variant ?? '-'}, reason ${result.reason}`;
}

const provider = new SwitchboardWebProvider({ url: config.url, clientKey: config.clientKey });
// The server signals a change on its stream; the provider fetches the new values, then says which changed.
OpenFeature.addHandler(ProviderEvents.ConfigurationChanged, render);
OpenFeature.addHandler(ProviderEvents.Error, () => {
  details.textContent = 'Switchboard is unreachable or refused the key: showing the default.';
});
await OpenFeature.setProviderAndWait(provider, { targetingKey: visitor });
render();
