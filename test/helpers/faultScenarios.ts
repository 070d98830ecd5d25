export const faultScenarios = [] as import('./campaignKit.js').Scenario[];
