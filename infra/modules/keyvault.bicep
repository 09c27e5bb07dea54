// Key Vault for the Partner Center and Microsoft Graph app credentials. RBAC mode: the app's identity may read
// secrets; the listed operators may write them (see docs/deploy.md). No secret values pass through Bicep.

param location string
param tags object
param name string
@description('Principal id of the managed identity that the app runs as.')
param principalId string
@description('Object ids of users or groups that set and rotate the secrets (Key Vault Secrets Officer).')
param secretOfficerPrincipalIds string[]
param purgeProtection bool

var secretsUser = '4633458b-17de-408a-b874-0445c86b69e6'
var secretsOfficer = 'b86a8fe4-44ce-4948-aee5-eccb2c155cd7'

resource vault 'Microsoft.KeyVault/vaults@2023-07-01' = {
  name: name
  location: location
  tags: tags
  properties: {
    tenantId: tenant().tenantId
    sku: { family: 'A', name: 'standard' }
    enableRbacAuthorization: true
    enableSoftDelete: true
    softDeleteRetentionInDays: 90
    // Purge protection cannot be turned off once on: leave it unset (null) rather than false.
    enablePurgeProtection: purgeProtection ? true : null
    publicNetworkAccess: 'Enabled'
  }
}

resource appReadsSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = {
  name: guid(vault.id, principalId, secretsUser)
  scope: vault
  properties: {
    roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsUser)
    principalId: principalId
    principalType: 'ServicePrincipal'
  }
}

resource officersWriteSecrets 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for officer in secretOfficerPrincipalIds: {
    name: guid(vault.id, officer, secretsOfficer)
    scope: vault
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', secretsOfficer)
      principalId: officer
    }
  }
]

output name string = vault.name
output uri string = vault.properties.vaultUri
