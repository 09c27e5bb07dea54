// Optional Static Web App for the portal, with the function app linked as its /api backend ("bring your own
// functions", Standard plan). Linking puts Static Web Apps in front of the function app; see docs/deploy.md.

param location string
param tags object
param name string
@description('Resource id of the function app to link.')
param backendResourceId string
param backendLocation string
@description('Optional custom domain (e.g. portal.partner.example): its CNAME must point at the default host name.')
param customDomain string = ''

resource site 'Microsoft.Web/staticSites@2024-04-01' = {
  name: name
  location: location
  tags: tags
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    stagingEnvironmentPolicy: 'Disabled'
    allowConfigFileUpdates: true
  }
}

resource backend 'Microsoft.Web/staticSites/linkedBackends@2024-04-01' = {
  parent: site
  name: 'api'
  properties: {
    backendResourceId: backendResourceId
    region: backendLocation
  }
}

// The white-label URL partners give their customers (validated by the CNAME to the default host name).
resource domain 'Microsoft.Web/staticSites/customDomains@2024-04-01' = if (!empty(customDomain)) {
  parent: site
  name: empty(customDomain) ? 'unused' : customDomain
  properties: {
    validationMethod: 'cname-delegation'
  }
}

output name string = site.name
output defaultHostName string = site.properties.defaultHostname
output portalUrl string = empty(customDomain) ? 'https://${site.properties.defaultHostname}' : 'https://${customDomain}'
