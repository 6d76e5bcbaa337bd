import Foundation

/// The GraphQL documents `LinearTickets` sends. Values always travel as variables, never spliced
/// into the text.
enum LinearQueries {
    static let openIssues = """
        query SparksTickets($teamKey: String!, $label: String!, $first: Int!) {
          issues(
            first: $first
            orderBy: createdAt
            filter: {
              team: { key: { eq: $teamKey } }
              labels: { some: { name: { eqIgnoreCase: $label } } }
              state: { type: { nin: ["completed", "canceled"] } }
            }
          ) {
            nodes {
              id identifier number title description url priority
              state { name type }
              labels { nodes { name } }
              creator { name displayName }
            }
          }
        }
        """

    static let createComment = """
        mutation SparksComment($issueId: String!, $body: String!) {
          commentCreate(input: { issueId: $issueId, body: $body }) { success }
        }
        """

    static let completedStates = """
        query SparksCompletedStates($teamKey: String!) {
          workflowStates(filter: { team: { key: { eq: $teamKey } }, type: { eq: "completed" } }) {
            nodes { id name type position }
          }
        }
        """

    static let updateState = """
        mutation SparksClose($id: String!, $stateId: String!) {
          issueUpdate(id: $id, input: { stateId: $stateId }) { success }
        }
        """
}
