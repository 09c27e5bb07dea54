import { createContext, useContext } from 'react';
import { defaultBranding, type Branding } from './branding';

export const BrandingContext = createContext<{ branding: Branding; setBranding(value: Branding): void }>({
  branding: defaultBranding,
  setBranding: () => {},
});

export const useBranding = () => useContext(BrandingContext);
