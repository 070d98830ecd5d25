export const hostileScenarios = [] as import('./campaignKit.js').Scenario[];
