// Service Bus: `changes` carries future-dated subscription changes (scheduled messages, message id = change id),
// `notifications` carries outgoing notices. Local auth is off: the app and the Functions trigger use Entra ID.

param location string
param tags object
param name string
@description('Principal id of the managed identity that the app runs as.')
param principalId string

var roles = {
  dataSender: '69a216fc-b8fb-44d8-bc22-1f3c2cd27a39'
  dataReceiver: '4f6d3b9b-027b-4f4c-9142-0e5a2a2247e0'
}

resource namespace 'Microsoft.ServiceBus/namespaces@2024-01-01' = {
  name: name
  location: location
  tags: tags
  // Standard: duplicate detection is not available on Basic.
  sku: { name: 'Standard', tier: 'Standard' }
  properties: {
    disableLocalAuth: true
    minimumTlsVersion: '1.2'
  }
}

resource changes 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'changes'
  properties: {
    // A change scheduled twice (retry after a crash) is dropped by its message id.
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P14D'
    deadLetteringOnMessageExpiration: true
  }
}

// `billing`: one message per customer cycle of a billing run (message id = run|customer), consumed in parallel.
resource billing 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'billing'
  properties: {
    requiresDuplicateDetection: true
    duplicateDetectionHistoryTimeWindow: 'PT10M'
    maxDeliveryCount: 5
    // Billing a large customer and writing its reports takes longer than a change; the trigger renews the lock.
    lockDuration: 'PT5M'
    defaultMessageTimeToLive: 'P31D'
    deadLetteringOnMessageExpiration: true
  }
}

resource notifications 'Microsoft.ServiceBus/namespaces/queues@2024-01-01' = {
  parent: namespace
  name: 'notifications'
  properties: {
    maxDeliveryCount: 10
    lockDuration: 'PT1M'
    defaultMessageTimeToLive: 'P7D'
    deadLetteringOnMessageExpiration: true
  }
}

resource roleAssignments 'Microsoft.Authorization/roleAssignments@2022-04-01' = [
  for role in items(roles): {
    name: guid(namespace.id, principalId, role.value)
    scope: namespace
    properties: {
      roleDefinitionId: subscriptionResourceId('Microsoft.Authorization/roleDefinitions', role.value)
      principalId: principalId
      principalType: 'ServicePrincipal'
    }
  }
]

output name string = namespace.name
output fullyQualifiedNamespace string = '${namespace.name}.servicebus.windows.net'
output queueNames string[] = [changes.name, notifications.name]
