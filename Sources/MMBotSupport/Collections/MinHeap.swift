/// A binary min-heap over an array. Ties pop in an order fixed by the elements' `<`, so a
/// caller that wants first-in-first-out among equals puts a sequence number in the key.
public struct MinHeap<Element: Comparable>: Sendable where Element: Sendable {
    @usableFromInline var items: [Element] = []

    @inlinable public init() {}

    @inlinable public var count: Int { items.count }
    @inlinable public var isEmpty: Bool { items.isEmpty }
    @inlinable public var min: Element? { items.first }

    @inlinable public mutating func push(_ element: Element) {
        items.append(element)
        var child = items.count - 1
        while child > 0 {
            let parent = (child - 1) / 2
            if !(items[child] < items[parent]) { break }
            items.swapAt(child, parent)
            child = parent
        }
    }

    @inlinable @discardableResult
    public mutating func pop() -> Element? {
        guard !items.isEmpty else { return nil }
        if items.count == 1 { return items.removeLast() }
        let top = items[0]
        items[0] = items.removeLast()
        var parent = 0
        while true {
            let left = 2 * parent + 1
            let right = left + 1
            var smallest = parent
            if left < items.count, items[left] < items[smallest] { smallest = left }
            if right < items.count, items[right] < items[smallest] { smallest = right }
            if smallest == parent { break }
            items.swapAt(parent, smallest)
            parent = smallest
        }
        return top
    }

    /// All elements in heap order (not sorted); for persistence and inspection.
    public var unorderedElements: [Element] { items }
}
