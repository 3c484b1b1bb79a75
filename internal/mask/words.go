package mask

var firstNames = []string{"Alex", "Sam", "Robin", "Charlie", "Jordan", "Taylor", "Morgan", "Casey", "Jamie", "Avery",
	"Riley", "Quinn", "Sasha", "Noa", "Eli", "Mika", "Lou", "Kim", "Dana", "Ari", "Jules", "Remy", "Toni", "Nico",
	"Luca", "Emma", "Lina", "Hugo", "Ines", "Oskar", "Mila", "Theo", "Zoe", "Ivan", "Sofia", "Marta", "Jonas", "Nora"}

var lastNames = []string{"Smith", "Martin", "Garcia", "Müller", "Rossi", "Dubois", "Jansen", "Novak", "Larsen", "Silva",
	"Peeters", "Schmidt", "Moreau", "Bianchi", "Kowalski", "Nagy", "Popescu", "Horvat", "Berg", "Costa", "Fischer",
	"Lambert", "Romano", "Weber", "Bakker", "Lindqvist", "Petrov", "Ferreira", "Keller", "Vidal"}

var companyWords = []string{"Acme", "Nova", "Blue", "North", "Summit", "Vertex", "Harbor", "Cedar", "Atlas", "Orion",
	"Delta", "Pioneer", "Silver", "Granite", "Maple", "Horizon", "Beacon", "Falcon", "Lumen", "Quartz"}

var companyForms = []string{"Ltd", "GmbH", "SA", "BV", "SRL", "AG", "SAS", "AB", "Oy", "Inc"}

var streets = []string{"Main Street", "Station Road", "Church Lane", "Park Avenue", "Mill Road", "High Street",
	"Harbour Way", "Market Square", "Oak Drive", "River Walk", "Hill Road", "Garden Row"}

var cities = []string{"Springfield", "Riverton", "Lakeside", "Fairview", "Greenville", "Kingsport", "Brookfield",
	"Oakridge", "Maplewood", "Westfield", "Northam", "Eastwick"}
