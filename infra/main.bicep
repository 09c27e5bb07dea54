// The CSP self-service backend in one resource group: a Flex Consumption function app running as a
// user-assigned identity, its storage account, Service Bus, Key Vault, and Application Insights; optionally a
// Static Web App for the portal. Deploy with `az deployment group create` (docs/deploy.md).

@description('Short product name used in resource names: lowercase letters and digits.')
@minLength(2)
@maxLength(10)
param name string = 'cspportal'

@description('Environment name used in resource names, e.g. dev, test, prod.')
@minLength(2)
@maxLength(8)
param environmentName string

param location string = resourceGroup().location
param tags object = {}

@description('Origins allowed by CORS to call the API, e.g. the portal\'s https://portal.contoso.com.')
param portalOrigins string[]

@description('AUTH_AUDIENCE: the API app registration\'s client id (the `aud` of its v2 access tokens).')
param apiAudience string

@description('AUTH_MODE: `entra` verifies bearer tokens; `easyauth` trusts the App Service authentication header.')
@allowed(['entra', 'easyauth'])
param authMode string = 'entra'

@description('AUTH_ALLOWED_TENANTS: `*` for any tenant, or a comma-separated list of tenant ids.')
param allowedTenants string = '*'

@description('PARTNER_TENANT_ID: the partner\'s own Entra tenant.')
param partnerTenantId string = tenant().tenantId

@description('PARTNER_ADMIN_OBJECT_IDS: partner admins by object id, besides holders of the PartnerAdmin app role.')
param partnerAdminObjectIds string[] = []

@description('COMMERCE_MODE: `partnerCenter` calls Microsoft; `simulator` applies Microsoft\'s rules on Table Storage (demos, tests).')
@allowed(['partnerCenter', 'simulator'])
param commerceMode string = 'partnerCenter'

@description('NCE_WINDOW_HOURS: hours after seats are added during which they may be removed with a refund.')
@minValue(1)
param nceWindowHours int = 168

@description('STORAGE_NAME_PREFIX: prefix of every table and container name.')
param storageNamePrefix string = ''

@description('Node.js version of the Flex Consumption runtime.')
@allowed(['20', '22'])
param nodeVersion string = '20'

@description('Flex Consumption always-ready instances, e.g. [{ name: \'http\', instanceCount: 1 }]. Empty: scale from zero.')
param alwaysReady array = []

@minValue(1)
@maxValue(1000)
param maximumInstanceCount int = 40

@allowed([512, 2048, 4096])
param instanceMemoryMB int = 2048

@description('Client id of the partner\'s Entra app for Partner Center (its secret lives in Key Vault as partner-center-client-secret).')
param partnerCenterClientId string = ''

@description('Mailbox told about failed scheduled changes and finished billing runs.')
param partnerNotifyEmail string

@description('The partner\'s name as the reports show it.')
param partnerName string = 'Your CSP partner'

@description('MAIL_MODE: `graph` sends mail with Microsoft Graph from mailSender; `folder` only writes it under DATA_DIR (demos).')
@allowed(['graph', 'folder'])
param mailMode string = 'graph'

@description('MAIL_SENDER: the partner mailbox mail is sent from (needed when mailMode is graph).')
param mailSender string = ''

@description('Client id of the partner\'s multi-tenant Entra app for Microsoft Graph: Mail.Send in the partner tenant, and in customer tenants (by admin consent) User.ReadWrite.All, Group.Read.All, LicenseAssignment.ReadWrite.All, RoleManagement.Read.Directory. Its secret lives in Key Vault as graph-client-secret.')
param graphClientId string = ''

@description('SKU_NAME_OVERRIDES: the partner\'s names for SKU part numbers, e.g. { SPB: \'Business Premium\' }; they win over catalog and shipped names.')
param skuNameOverrides object = {}

@description('Support assistant: Azure AI Search endpoint (https://name.search.windows.net); empty keeps the embedded index. Grant the app identity Search Index Data Contributor and Search Service Contributor.')
param azureSearchEndpoint string = ''

@description('Support assistant: Azure OpenAI endpoint and chat deployment; empty answers extractively. Grant the app identity Cognitive Services OpenAI User.')
param azureOpenAiEndpoint string = ''
param azureOpenAiDeployment string = ''

@description('Object ids of the people or groups who set and rotate the Key Vault secrets.')
param keyVaultSecretOfficerIds string[] = []

@description('Key Vault purge protection; cannot be turned off again once on.')
param keyVaultPurgeProtection bool = true

@description('ConnectWise Manage site root for the PSA export (empty: not used); its private key goes in Key Vault as connectwise-private-key.')
param connectWiseBaseUrl string = ''
@description('ConnectWise company id of the API member.')
param connectWiseCompanyId string = ''
@description('ConnectWise API member public key.')
param connectWisePublicKey string = ''
@description('ConnectWise integrator clientId.')
param connectWiseClientId string = ''

@minValue(30)
param logRetentionInDays int = 30

@description('Create a Static Web App (Standard) for the portal with this API linked as its backend.')
param deployStaticWebApp bool = false

@description('Region of the Static Web App (offered in fewer regions than Functions).')
param staticWebAppLocation string = 'westeurope'

@description('Optional custom domain of the portal (Static Web App), e.g. portal.partner.example; empty for none.')
param portalCustomDomain string = ''

var baseName = '${name}-${environmentName}'
var suffix = uniqueString(subscription().id, resourceGroup().id, baseName)
var allTags = union(tags, { application: name, environment: environmentName })

// The app's tables and containers (src/adapters/storage/storage.ts): add new ones here.
var tableNames = ['customers', 'access', 'catalog', 'prices', 'saleprofiles', 'customerdata', 'settings', 'commercesim', 'duechanges', 'outbox', 'portalusers', 'profiles', 'agreements', 'tenantsim', 'directorysim', 'consentrequests', 'billinglines', 'invoices', 'oneoffcharges', 'billingruns', 'usage', 'resellers', 'licensecounts', 'msbilled', 'reconciliation', 'psa', 'conversations', 'seatsnapshots', 'workqueue']
var containerNames = ['reports', 'branding', 'knowledge']
var deploymentContainerName = 'app-package'

resource identity 'Microsoft.ManagedIdentity/userAssignedIdentities@2023-01-31' = {
  name: 'id-${baseName}'
  location: location
  tags: allTags
}

module monitoring 'modules/monitoring.bicep' = {
  name: 'monitoring'
  params: {
    location: location
    tags: allTags
    logAnalyticsName: 'log-${baseName}'
    appInsightsName: 'appi-${baseName}'
    retentionInDays: logRetentionInDays
  }
}

module storage 'modules/storage.bicep' = {
  name: 'storage'
  params: {
    location: location
    tags: allTags
    name: take(toLower('st${replace(baseName, '-', '')}${suffix}'), 24)
    tableNames: tableNames
    containerNames: containerNames
    namePrefix: storageNamePrefix
    deploymentContainerName: deploymentContainerName
    principalId: identity.properties.principalId
  }
}

module serviceBus 'modules/servicebus.bicep' = {
  name: 'servicebus'
  params: {
    location: location
    tags: allTags
    name: 'sb-${baseName}-${suffix}'
    principalId: identity.properties.principalId
  }
}

module keyVault 'modules/keyvault.bicep' = {
  name: 'keyvault'
  params: {
    location: location
    tags: allTags
    name: take('kv-${name}-${suffix}', 24)
    principalId: identity.properties.principalId
    secretOfficerPrincipalIds: keyVaultSecretOfficerIds
    purgeProtection: keyVaultPurgeProtection
  }
}

// ---- App configuration: BEGIN ----------------------------------------------------------------------------
// Exactly the keys of `configSchema` in src/config.ts, which are also the keys of local.settings.example.json
// (tests/infra/app-settings.test.ts keeps the three in step). No connection strings or account keys: storage
// is reached through its URLs with the managed identity named by AZURE_CLIENT_ID.
var appConfigSettings = {
  AUTH_MODE: authMode
  AUTH_AUDIENCE: apiAudience
  AUTH_ISSUER: '${environment().authentication.loginEndpoint}{tenantid}/v2.0'
  AUTH_ALLOWED_TENANTS: allowedTenants
  AUTH_JWKS_URI: '${environment().authentication.loginEndpoint}common/discovery/v2.0/keys'
  AUTH_CLOCK_SKEW_SECONDS: '60'
  PARTNER_TENANT_ID: partnerTenantId
  PARTNER_ADMIN_OBJECT_IDS: join(partnerAdminObjectIds, ',')
  PARTNER_ADMIN_APP_ROLE: 'PartnerAdmin'
  STORAGE_CONNECTION_STRING: ''
  STORAGE_TABLE_URL: storage.outputs.tableEndpoint
  STORAGE_BLOB_URL: storage.outputs.blobEndpoint
  AZURE_CLIENT_ID: identity.properties.clientId
  STORAGE_NAME_PREFIX: storageNamePrefix
  DATA_DIR: '/tmp/csp-portal'
  MAX_BODY_BYTES: '262144'
  ROLE_CACHE_SECONDS: '30'
  COMMERCE_MODE: commerceMode
  NCE_WINDOW_HOURS: string(nceWindowHours)
  SIMULATOR_THROTTLE_PERCENT: '0'
  PARTNER_CENTER_BASE_URL: 'https://api.partnercenter.microsoft.com'
  PARTNER_CENTER_CLIENT_ID: partnerCenterClientId
  PARTNER_CENTER_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/partner-center-client-secret/)'
  PARTNER_CENTER_TIMEOUT_MS: '30000'
  PARTNER_CENTER_MAX_RETRIES: '4'
  QUEUE_MODE: 'serviceBus'
  SERVICEBUS_NAMESPACE: serviceBus.outputs.fullyQualifiedNamespace
  CHANGE_MAX_DELIVERIES: '10'
  APPLY_LEASE_SECONDS: '300'
  PARTNER_NOTIFY_EMAIL: partnerNotifyEmail
  PARTNER_NAME: partnerName
  REPORT_SAS_MINUTES: '10'
  CONNECTWISE_BASE_URL: connectWiseBaseUrl
  CONNECTWISE_COMPANY_ID: connectWiseCompanyId
  CONNECTWISE_PUBLIC_KEY: connectWisePublicKey
  CONNECTWISE_PRIVATE_KEY: empty(connectWiseBaseUrl) ? '' : '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/connectwise-private-key/)'
  CONNECTWISE_CLIENT_ID: connectWiseClientId
  PORTAL_BASE_URL: first(portalOrigins)
  PORTAL_AUTHORITY: '${environment().authentication.loginEndpoint}organizations'
  PORTAL_KNOWN_AUTHORITIES: ''
  INVITATION_TTL_HOURS: '168'
  MAIL_MODE: mailMode
  MAIL_SENDER: mailSender
  GRAPH_CLIENT_ID: graphClientId
  GRAPH_CLIENT_SECRET: '@Microsoft.KeyVault(SecretUri=${keyVault.outputs.uri}secrets/graph-client-secret/)'
  GRAPH_BASE_URL: 'https://graph.microsoft.com'
  GRAPH_TIMEOUT_MS: '30000'
  GRAPH_MAX_RETRIES: '3'
  USAGE_EXPORT_CURRENCY: 'USD'
  SKU_NAME_OVERRIDES: string(skuNameOverrides)
  // The platform's CORS (corsAllowedOrigins below) answers browsers in Azure; the app adds no CORS headers.
  CORS_ORIGINS: ''
  RATE_LIMIT_WRITES_PER_MINUTE: '120'
  ASSISTANT_SEARCH_MODE: empty(azureSearchEndpoint) ? 'embedded' : 'azureSearch'
  AZURE_SEARCH_ENDPOINT: azureSearchEndpoint
  AZURE_SEARCH_INDEX: 'knowledge'
  AZURE_OPENAI_ENDPOINT: azureOpenAiEndpoint
  AZURE_OPENAI_DEPLOYMENT: azureOpenAiDeployment
  AZURE_OPENAI_API_VERSION: '2024-10-21'
  ASSISTANT_CONVERSATION_HOURS: '24'
  ASSISTANT_MESSAGES_PER_MINUTE: '20'
  APPLICATIONINSIGHTS_CONNECTION_STRING: monitoring.outputs.connectionString
}
// ---- App configuration: END ------------------------------------------------------------------------------

// Settings read by the Functions host and its triggers (identity-based connections), not by the app's config.
// `SERVICEBUS` is the connection name of the Service Bus triggers (functions/jobs.ts).
var hostSettings = {
  AzureWebJobsStorage__accountName: storage.outputs.name
  AzureWebJobsStorage__credential: 'managedidentity'
  AzureWebJobsStorage__clientId: identity.properties.clientId
  SERVICEBUS__fullyQualifiedNamespace: serviceBus.outputs.fullyQualifiedNamespace
  SERVICEBUS__credential: 'managedidentity'
  SERVICEBUS__clientId: identity.properties.clientId
  // glibc gives each thread that allocates (V8's compiler and GC threads, the libuv pool) a malloc arena of its own
  // and keeps what they freed: two arenas keep a billing worker's native memory ~25 MB smaller at the same speed.
  MALLOC_ARENA_MAX: '2'
}

module functionApp 'modules/functionapp.bicep' = {
  name: 'functionapp'
  params: {
    location: location
    tags: allTags
    name: 'func-${baseName}-${suffix}'
    planName: 'plan-${baseName}'
    identityId: identity.id
    deploymentContainerUrl: storage.outputs.deploymentContainerUrl
    appSettings: union(hostSettings, appConfigSettings)
    corsAllowedOrigins: portalOrigins
    nodeVersion: nodeVersion
    alwaysReady: alwaysReady
    maximumInstanceCount: maximumInstanceCount
    instanceMemoryMB: instanceMemoryMB
  }
  // The app starts as soon as it exists: let it find its Key Vault role in place (storage and Service Bus
  // roles come first already, through the outputs used above).
  dependsOn: [keyVault]
}

module staticWebApp 'modules/staticwebapp.bicep' = if (deployStaticWebApp) {
  name: 'staticwebapp'
  params: {
    location: staticWebAppLocation
    tags: allTags
    name: 'swa-${baseName}-${suffix}'
    backendResourceId: functionApp.outputs.id
    backendLocation: location
    customDomain: portalCustomDomain
  }
}

output functionAppName string = functionApp.outputs.name
output apiBaseUrl string = 'https://${functionApp.outputs.defaultHostName}/api'
output storageAccountName string = storage.outputs.name
output serviceBusNamespace string = serviceBus.outputs.fullyQualifiedNamespace
output keyVaultName string = keyVault.outputs.name
output keyVaultUri string = keyVault.outputs.uri
output identityClientId string = identity.properties.clientId
output identityPrincipalId string = identity.properties.principalId
output applicationInsightsName string = monitoring.outputs.appInsightsName
output staticWebAppHostName string = deployStaticWebApp ? staticWebApp.outputs.defaultHostName : ''
output portalUrl string = deployStaticWebApp ? staticWebApp.outputs.portalUrl : ''
